"""newsdesk: a newsroom system for policy bulletins.

`newsdesk.__version__` is the version pip recorded when it installed newsdesk (the
one pyproject.toml gives), read from the installed distribution's metadata; in a
source tree that was never installed, from the pyproject.toml beside the package.
It is read when first asked for, not when newsdesk is imported: importlib.metadata
loads email, zipfile and more, and the command imports this package first of all,
before it can answer a Ctrl-C cleanly (newsdesk/__main__.py).
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "newsdesk"
#: the version when neither installed metadata nor a pyproject.toml of newsdesk says it
UNKNOWN = "unknown"
#: the source tree's project file, beside the package
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def version_of(distribution: str = DISTRIBUTION, pyproject: Path = PYPROJECT) -> str:
    """The installed `distribution`'s version; else the source tree's `pyproject`'s."""
    from importlib import metadata  # deferred: heavy, and only --version and fetching ask

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return source_version(pyproject)


def source_version(pyproject: Path) -> str:
    """The version a pyproject.toml of newsdesk gives; UNKNOWN without one."""
    import tomllib  # deferred: read only in a source tree never installed

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return UNKNOWN
    if not isinstance(project, dict) or project.get("name") != DISTRIBUTION:
        return UNKNOWN  # some other project's file, where the package was copied to
    return str(project.get("version") or UNKNOWN)


def __getattr__(name: str) -> str:
    """`__version__`, read once, when first asked for."""
    if name == "__version__":
        found = version_of()
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
