from django.urls import path

from newsdesk.archive import pages
from newsdesk.archive.cache import public_page
from newsdesk.archive.search import search_page

app_name = "archive"
urlpatterns = [
    path("", public_page(pages.publication_index), name="index"),
    path("issues/", pages.old_issue_list),
    path("issues/<slug:slug>/<int:number>/", pages.old_issue),
    path("<slug:slug>/", public_page(pages.publication_home), name="home"),
    path("<slug:slug>/archive/", public_page(pages.archive_page), name="archive"),
    path(
        "<slug:slug>/archive/page/<int:page>/", public_page(pages.archive_page), name="archive-page"
    ),
    path("<slug:slug>/archive/<int:year>/", public_page(pages.archive_page), name="archive-year"),
    path(
        "<slug:slug>/archive/<int:year>/page/<int:page>/",
        public_page(pages.archive_page),
        name="archive-year-page",
    ),
    path("<slug:slug>/search/", search_page, name="search"),
    path("<slug:slug>/<int:number>/", public_page(pages.issue_page), name="issue"),
    path(
        "<slug:slug>/<int:number>/<int:pk>-<slug:words>/", public_page(pages.item_page), name="item"
    ),
    path("<slug:slug>/<slug:kind>/<slug:name>/", public_page(pages.category_page), name="category"),
    path(
        "<slug:slug>/<slug:kind>/<slug:name>/page/<int:page>/",
        public_page(pages.category_page),
        name="category-page",
    ),
]
