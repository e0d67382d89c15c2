from django.urls import path

from newsdesk.desk import inbox, sources, story

app_name = "desk"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("<slug:slug>/", inbox.inbox, name="inbox"),
    path("<slug:slug>/stories/<int:story_id>/pick", inbox.pick, name="pick"),
    path("<slug:slug>/stories/<int:story_id>/dismiss", inbox.dismiss, name="dismiss"),
    path("<slug:slug>/stories/<int:story_id>/snooze", inbox.snooze, name="snooze"),
    path("<slug:slug>/stories/<int:story_id>/restore", inbox.restore, name="restore"),
    path("<slug:slug>/stories/<int:story_id>/", story.story, name="story"),
    path("<slug:slug>/stories/<int:story_id>/merge", story.merge, name="merge"),
    path("<slug:slug>/stories/<int:story_id>/split", story.split, name="split"),
    path("<slug:slug>/sources/", sources.sources, name="sources"),
    path("<slug:slug>/sources/add", sources.add, name="source_add"),
    path("<slug:slug>/sources/import", sources.import_opml, name="sources_import"),
    path("<slug:slug>/sources/export.opml", sources.export_opml_file, name="sources_export"),
    path("<slug:slug>/sources/<int:source_id>/", sources.source, name="source"),
    path("<slug:slug>/sources/<int:source_id>/edit", sources.edit, name="source_edit"),
    path("<slug:slug>/sources/<int:source_id>/enabled", sources.toggle, name="source_toggle"),
    path("<slug:slug>/paste", sources.paste, name="paste"),
    path("<slug:slug>/clip", sources.clip, name="clip"),
    path("<slug:slug>/bookmarklet", sources.clip_post, name="clip_post"),
]
