from django.urls import include, path

urlpatterns = [path("", include("newsdesk.web.urls"))]
