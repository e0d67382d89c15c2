"""The first form of ops 0002, on main for nine commits before 0002_scheduler_failing_since
replaced it in place (80a3747). A database made in between recorded it as applied and has
its column: kept in the graph so that record names a known migration (a restore refuses
a backup holding one this code does not know); 0003 drops the column again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="heartbeat",
            name="ticked",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
