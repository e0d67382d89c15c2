"""The reader's mailing pages, under each publication's path (before the site's own)."""

from django.urls import path

from newsdesk.mailing import views

app_name = "mailing"
urlpatterns = [
    path("<slug:slug>/subscribe/", views.subscribe_page, name="subscribe"),
    path("<slug:slug>/subscribe/sent/", views.sent_page, name="sent"),
    path("<slug:slug>/subscribe/confirm/<str:token>/", views.confirm_page, name="confirm"),
    path("<slug:slug>/subscription/<str:token>/", views.preferences_page, name="preferences"),
    path(
        "<slug:slug>/subscription/<str:token>/unsubscribe/",
        views.unsubscribe_page,
        name="unsubscribe",
    ),
]
