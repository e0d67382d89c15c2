"""The search index of published items (newsroom/search_index.py): an FTS5 table on
SQLite, a table with a generated tsvector and a GIN index on PostgreSQL; filled with
the items of the issues already published."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from newsdesk.newsroom import search_index


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in search_index.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)
    if search_index.create_sql(schema_editor.connection.vendor):
        search_index.reindex()


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in search_index.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0007_publication_site_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
