"""Joins the two forms of ops 0002 (see 0002_scheduler_ticked) and drops the column of
the first, which nothing reads: every database ends with the same schema and the same
known migrations, whichever form it ran."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0002_scheduler_failing_since"),
        ("ops", "0002_scheduler_ticked"),
    ]

    operations = [
        migrations.RemoveField(model_name="heartbeat", name="ticked"),
    ]
