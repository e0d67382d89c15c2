"""The desk's subscribers pages, under /desk/SLUG/subscribers/, and its mailing pages,
under /desk/SLUG/mailings/ (before the desk's own)."""

from django.urls import path

from newsdesk.mailing import desk_mailings, desk_pages

app_name = "mailing-desk"
urlpatterns = [
    path("<slug:slug>/subscribers/", desk_pages.subscribers, name="subscribers"),
    path("<slug:slug>/subscribers/import", desk_pages.import_csv, name="import"),
    path("<slug:slug>/subscribers/export.csv", desk_pages.export_csv, name="export"),
    path("<slug:slug>/subscribers/suppressions/", desk_pages.suppressions, name="suppressions"),
    path("<slug:slug>/subscribers/suppress", desk_pages.suppress, name="suppress"),
    path("<slug:slug>/subscribers/<int:pk>/", desk_pages.subscriber, name="subscriber"),
    path("<slug:slug>/mailings/", desk_mailings.mailings_page, name="mailings"),
    path("<slug:slug>/mailings/<int:number>/", desk_mailings.mailing_page, name="mailing"),
    path("<slug:slug>/mailings/<int:number>/resume", desk_mailings.resume, name="resume"),
]
