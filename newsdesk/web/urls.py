from django.urls import path

from newsdesk.web import views

app_name = "web"
urlpatterns = [
    path("articles/", views.article_list, name="articles"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("stories/<slug:slug>/", views.story_list, name="stories"),
]
