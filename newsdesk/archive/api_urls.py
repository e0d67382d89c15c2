"""The JSON API's routes, under /api/v1/ (newsdesk/urls.py): each one is documented
in openapi.py (but the last, which answers any other path with a JSON 404), and a
test holds the two together."""

from django.urls import path, re_path

from newsdesk.archive import api

app_name = "api"
urlpatterns = [
    path("", api.api_index, name="index"),
    path("openapi.json", api.openapi, name="openapi"),
    path("publications/", api.publication_list, name="publications"),
    path("publications/<slug:slug>/", api.publication_detail, name="publication"),
    path("publications/<slug:slug>/issues/", api.issue_list, name="issues"),
    path("publications/<slug:slug>/issues/<int:number>/", api.issue_detail, name="issue"),
    path("items/<int:pk>/", api.item_detail, name="item"),
    re_path(r"^.*$", api.unknown, name="unknown"),  # a JSON 404, not the site's page
]
