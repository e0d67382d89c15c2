"""Issues the scheduler published credited "scheduler" as an editor on the public site.
Credit the editor who scheduled each instead, as publishing now does."""

from typing import Any

from django.db import migrations

SCHEDULER = "scheduler"


def _credit(users: Any, actor: str) -> str:
    user = users.objects.filter(username=actor).first()
    if user is None:
        return actor
    return " ".join(f"{user.first_name} {user.last_name}".split()) or actor


def credit_schedulers(apps: Any, schema_editor: Any) -> None:
    issues = apps.get_model("newsroom", "Issue")
    users = apps.get_model("auth", "User")
    changed: set[int] = set()
    for issue in issues.objects.only("pk", "editors", "publication_id").iterator():
        if SCHEDULER not in issue.editors:
            continue
        scheduled = issue.events.filter(kind="scheduled").order_by("-id").first()
        names = [*issue.editors, scheduled.actor if scheduled else ""]
        credits = [_credit(users, name) for name in names if name and name != SCHEDULER]
        issue.editors = list(dict.fromkeys(credits))  # in order, each once
        issue.save(update_fields=["editors"])
        changed.add(issue.publication_id)
    publications = apps.get_model("newsroom", "Publication")
    for publication in publications.objects.filter(pk__in=changed):  # pages cached by version
        publication.site_version += 1
        publication.save(update_fields=["site_version"])


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0009_itemsource_article_url"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(credit_schedulers, migrations.RunPython.noop)]
