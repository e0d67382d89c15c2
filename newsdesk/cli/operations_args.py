"""The arguments of the commands that run and keep newsdesk: worker, scheduler, run,
status, backup, restore, config, user and site (kept beside parser.py, which calls
them; no Django here either)."""

from __future__ import annotations

from newsdesk.cli.arg_types import Command, port_number, positive_int, queue_names, task_count


def add_ops_commands(command: Command) -> None:
    p = command(
        "worker",
        "newsdesk.cli.ops:run_worker_command",
        "Run background tasks (polls, stories, training, publishing) until SIGTERM.",
    )
    p.add_argument(
        "--queues",
        type=queue_names,
        default="*",
        help="queues to serve, joined by ',' (default: all)",
    )
    p.add_argument("--max-tasks", type=task_count, help="stop after this many tasks")
    p.add_argument("--batch", action="store_true", help="run what is ready, then stop")
    command(
        "scheduler",
        "newsdesk.cli.ops:run_scheduler_command",
        "Enqueue due work (sources, scheduled issues, training) until SIGTERM.",
    )
    p = command(
        "run",
        "newsdesk.cli.ops:run_everything",
        "Run it all on one machine: the production web server, a worker, the scheduler.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=8000, help="web server port (default 8000)")
    p.add_argument(
        "--web-workers", type=positive_int, default=1, help="web server processes (default 1)"
    )
    p = command(
        "status",
        "newsdesk.cli.ops:run_status",
        "Health: database, workers, scheduler, queue (as /healthz); exit 1 if unhealthy.",
        schema=False,  # a database down or outdated is reported in the status
    )
    p.add_argument("--json", action="store_true", help="print the status as JSON")


def add_backup_commands(command: Command) -> None:
    """`backup` and `restore`: any schema state (an outdated database is worth a copy)."""
    p = command(
        "backup",
        "newsdesk.cli.backup:run_backup",
        "Copy the database while it runs: SQLite's online backup, or pg_dump on PostgreSQL.",
        schema=False,
    )
    p.add_argument("out", metavar="OUT", help="the backup file to write (replaced if it exists)")
    p = command(
        "restore",
        "newsdesk.cli.backup:run_restore",
        "Replace the database with a backup, after checking it is newsdesk's.",
        schema=False,
    )
    p.add_argument("backup", metavar="IN", help="a file `newsdesk backup` wrote")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a database that holds data (stop the worker and scheduler first)",
    )


def add_config_commands(command: Command) -> None:
    """`config check`: runs before Django is set up, so it can report what stops set-up."""
    p = command(
        "config",
        "newsdesk.cli.config_check:run_config",
        "Check the configuration read from the environment.",
        schema=False,
        django=False,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "check",
        help="list every problem with the settings; exit 2 if there is one",
        description="Print one line per problem: unknown NEWSDESK_ settings, bad values, "
        "missing secrets, mail settings that contradict each other, a database that cannot "
        "be opened. Exit 0 when there is none, 2 otherwise. serve, worker, scheduler and run "
        "refuse to start on the same problems.",
    )
    a.add_argument("--no-database", action="store_true", help="do not try to open the database")


def add_people_commands(command: Command) -> None:
    """`user`: the desk's people and their roles."""
    p = command("user", "newsdesk.cli.people:run_user", "Manage the desk's people: add, list.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "add",
        help="add a person, or give them a role on a publication",
        description=(
            "Add a person with a role on a publication, or change their role, email or "
            "display name. The password comes from NEWSDESK_PASSWORD, the file "
            "NEWSDESK_PASSWORD_FILE names, or a prompt."
        ),
    )
    a.add_argument("username")
    a.add_argument("--email", default="", help="where password resets and test emails go")
    a.add_argument(
        "--name",
        help='the name readers see as the issues\' editor (default: the user name); "" removes it',
    )
    a.add_argument("--publication", required=True, metavar="SLUG", help="where the role holds")
    a.add_argument(
        "--role",
        required=True,
        choices=("admin", "editor", "contributor", "viewer"),
        help="what they may do there (docs/desk.md, Roles)",
    )
    actions.add_parser("list", help="people and roles", description="List people and roles.")


def add_site_commands(command: Command) -> None:
    """`site export`."""
    p = command("site", "newsdesk.cli.site:run_site", "The public site as static files.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "export",
        help="write a publication's public site as static files",
        description="Write a publication's public site (pages, feeds, sitemap, assets) to "
        "DIR as static files with relative links. Only what changed since the last export is "
        "rendered again; DIR switches to the new export in one step.",
    )
    a.add_argument("publication", metavar="PUB")
    a.add_argument("--out", required=True, metavar="DIR", help="a symbolic link to the export")
    a.add_argument(
        "--site-url",
        metavar="URL",
        help="the public address of the export, for feeds, sitemap and canonical links "
        "(default: NEWSDESK_SITE_URL)",
    )
    a.add_argument(
        "--base-url",
        metavar="URL",
        help="the dynamic app's address, for search and subscribe "
        "(default: NEWSDESK_APP_URL, else the site's address)",
    )
    a.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for another export of DIR to end (default 300)",
    )
    a = actions.add_parser(
        "reindex",
        help="rebuild the search index of published items",
        description="Rebuild the search index from the published issues, of PUB or of every "
        "publication. Publishing, withdrawing and importing keep it in step; this mends it "
        "after changes made around them (a restored database, edits in SQL).",
    )
    a.add_argument("publication", metavar="PUB", nargs="?")
    a.set_defaults(handler="newsdesk.cli.search:run_reindex")
