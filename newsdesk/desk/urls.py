from django.urls import path

from newsdesk.desk import inbox

app_name = "desk"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("<slug:slug>/", inbox.inbox, name="inbox"),
    path("<slug:slug>/stories/<int:story_id>/pick", inbox.pick, name="pick"),
    path("<slug:slug>/stories/<int:story_id>/dismiss", inbox.dismiss, name="dismiss"),
    path("<slug:slug>/stories/<int:story_id>/snooze", inbox.snooze, name="snooze"),
    path("<slug:slug>/stories/<int:story_id>/restore", inbox.restore, name="restore"),
]
