from django.urls import path

from newsdesk.web import views

app_name = "web"
urlpatterns = [
    path("", views.article_list, name="articles"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("healthz", views.health, name="health"),
    path("issues/", views.issue_list, name="issues"),
    path("stories/<slug:slug>/", views.story_list, name="stories"),
    path("issues/<slug:slug>/<int:number>/", views.issue_detail, name="issue"),
]
