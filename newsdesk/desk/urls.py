from django.urls import path, register_converter

from newsdesk.desk import backissues, inbox, issues, items, settings_page, sources, story
from newsdesk.pipeline.limits import MAX_ID


class IdConverter:
    """A database id in a desk address: a number no id can be (past 64 bits) names no
    page, a 404, instead of overflowing the database driver in a lookup (a 500)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is past the largest id")  # Django: no match, a 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "desk"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("<slug:slug>/", inbox.inbox, name="inbox"),
    path("<slug:slug>/stories/<id:story_id>/pick", inbox.pick, name="pick"),
    path("<slug:slug>/stories/<id:story_id>/dismiss", inbox.dismiss, name="dismiss"),
    path("<slug:slug>/stories/<id:story_id>/snooze", inbox.snooze, name="snooze"),
    path("<slug:slug>/stories/<id:story_id>/restore", inbox.restore, name="restore"),
    path("<slug:slug>/stories/<id:story_id>/", story.story, name="story"),
    path("<slug:slug>/items/<id:item_id>/", items.item, name="item"),
    path("<slug:slug>/items/<id:item_id>/save", items.save, name="item-save"),
    path("<slug:slug>/items/<id:item_id>/autosave", items.autosave, name="item-autosave"),
    path("<slug:slug>/items/<id:item_id>/redraft", items.redraft, name="item-redraft"),
    path("<slug:slug>/items/<id:item_id>/restore", items.restore, name="item-restore"),
    path("<slug:slug>/stories/<id:story_id>/merge", story.merge, name="merge"),
    path("<slug:slug>/stories/<id:story_id>/split", story.split, name="split"),
    path("<slug:slug>/sources/", sources.sources, name="sources"),
    path("<slug:slug>/sources/add", sources.add, name="source_add"),
    path("<slug:slug>/sources/import", sources.import_opml, name="sources_import"),
    path("<slug:slug>/sources/export.opml", sources.export_opml_file, name="sources_export"),
    path("<slug:slug>/sources/<id:source_id>/", sources.source, name="source"),
    path("<slug:slug>/sources/<id:source_id>/edit", sources.edit, name="source_edit"),
    path("<slug:slug>/sources/<id:source_id>/enabled", sources.toggle, name="source_toggle"),
    path("<slug:slug>/paste", sources.paste, name="paste"),
    path("<slug:slug>/clip", sources.clip, name="clip"),
    path("<slug:slug>/bookmarklet", sources.clip_post, name="clip_post"),
    path("<slug:slug>/issue/", issues.issue_page, name="issue"),
    path("<slug:slug>/issue/start", issues.start, name="issue_start"),
    path("<slug:slug>/issue/<id:issue_id>/order", issues.order, name="issue_order"),
    path("<slug:slug>/issue/<id:issue_id>/chain", issues.chain, name="issue_chain"),
    path("<slug:slug>/issue/<id:issue_id>/remove", issues.remove, name="issue_remove"),
    path("<slug:slug>/issue/<id:issue_id>/add", issues.add, name="issue_add"),
    path("<slug:slug>/issue/<id:issue_id>/suggestion", issues.suggestion, name="issue_suggestion"),
    path("<slug:slug>/issue/<id:issue_id>/sections", issues.sections, name="issue_sections"),
    path("<slug:slug>/issue/<id:issue_id>/section", issues.section, name="issue_section"),
    path("<slug:slug>/issue/<id:issue_id>/test-email", issues.test_email, name="issue_test_email"),
    path("<slug:slug>/issue/<id:issue_id>/publish", issues.publish, name="issue_publish"),
    path("<slug:slug>/issue/<id:issue_id>/unschedule", issues.unschedule, name="issue_unschedule"),
    path("<slug:slug>/issue/<id:issue_id>/withdraw", issues.withdraw, name="issue_withdraw"),
    path("<slug:slug>/issue/<id:issue_id>/preview.<str:fmt>", issues.preview_raw, name="issue_raw"),
    path("<slug:slug>/backissues/", backissues.backissues, name="backissues"),
    path("<slug:slug>/settings/", settings_page.settings_page, name="settings"),
    path("<slug:slug>/settings/details", settings_page.details, name="settings_details"),
    path("<slug:slug>/settings/style", settings_page.style, name="settings_style"),
    path("<slug:slug>/settings/profile", settings_page.profile, name="settings_profile"),
    path("<slug:slug>/settings/categories/add", settings_page.category_add, name="category_add"),
    path(
        "<slug:slug>/settings/categories/<id:category_id>/rename",
        settings_page.category_rename,
        name="category_rename",
    ),
    path(
        "<slug:slug>/settings/categories/<id:category_id>/remove",
        settings_page.category_remove,
        name="category_remove",
    ),
    path("<slug:slug>/settings/people/add", settings_page.person_add, name="person_add"),
    path(
        "<slug:slug>/settings/people/<id:membership_id>/role",
        settings_page.person_role,
        name="person_role",
    ),
    path(
        "<slug:slug>/settings/people/<id:membership_id>/remove",
        settings_page.person_remove,
        name="person_remove",
    ),
]
