from django.urls import include, path

urlpatterns = [
    path("accounts/", include("newsdesk.desk.accounts")),
    path("desk/", include("newsdesk.desk.urls")),
    path("", include("newsdesk.web.urls")),
    path("", include("newsdesk.archive.urls")),
]
