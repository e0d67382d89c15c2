from django.urls import path

from newsdesk.desk import backissues, inbox, issues, items, sources, story

app_name = "desk"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("<slug:slug>/", inbox.inbox, name="inbox"),
    path("<slug:slug>/stories/<int:story_id>/pick", inbox.pick, name="pick"),
    path("<slug:slug>/stories/<int:story_id>/dismiss", inbox.dismiss, name="dismiss"),
    path("<slug:slug>/stories/<int:story_id>/snooze", inbox.snooze, name="snooze"),
    path("<slug:slug>/stories/<int:story_id>/restore", inbox.restore, name="restore"),
    path("<slug:slug>/stories/<int:story_id>/", story.story, name="story"),
    path("<slug:slug>/items/<int:item_id>/", items.item, name="item"),
    path("<slug:slug>/items/<int:item_id>/save", items.save, name="item-save"),
    path("<slug:slug>/items/<int:item_id>/autosave", items.autosave, name="item-autosave"),
    path("<slug:slug>/items/<int:item_id>/redraft", items.redraft, name="item-redraft"),
    path("<slug:slug>/items/<int:item_id>/restore", items.restore, name="item-restore"),
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
    path("<slug:slug>/issue/", issues.issue_page, name="issue"),
    path("<slug:slug>/issue/start", issues.start, name="issue_start"),
    path("<slug:slug>/issue/<int:issue_id>/order", issues.order, name="issue_order"),
    path("<slug:slug>/issue/<int:issue_id>/chain", issues.chain, name="issue_chain"),
    path("<slug:slug>/issue/<int:issue_id>/remove", issues.remove, name="issue_remove"),
    path("<slug:slug>/issue/<int:issue_id>/add", issues.add, name="issue_add"),
    path("<slug:slug>/issue/<int:issue_id>/suggestion", issues.suggestion, name="issue_suggestion"),
    path("<slug:slug>/issue/<int:issue_id>/test-email", issues.test_email, name="issue_test_email"),
    path("<slug:slug>/issue/<int:issue_id>/publish", issues.publish, name="issue_publish"),
    path("<slug:slug>/issue/<int:issue_id>/withdraw", issues.withdraw, name="issue_withdraw"),
    path(
        "<slug:slug>/issue/<int:issue_id>/preview.<str:fmt>", issues.preview_raw, name="issue_raw"
    ),
    path("<slug:slug>/backissues/", backissues.backissues, name="backissues"),
]
