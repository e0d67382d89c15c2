"""`newsdesk --version` and `newsdesk.__version__` (the fetcher's User-Agent): the version
pip installed, read from the distribution's metadata, never written by hand a second time;
in a source tree never installed, pyproject.toml's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import newsdesk
from newsdesk import UNKNOWN, source_version, version_of
from tests.test_cli import process

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def project_version() -> str:
    return str(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])


def test_the_version_is_pyproject_s(tmp_path: Path) -> None:
    ran = process("--version", cwd=tmp_path)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, f"newsdesk {project_version()}\n", "")
    assert newsdesk.__version__ == project_version()


def test_the_version_is_the_installed_distribution_s(tmp_path: Path) -> None:
    """What pip recorded is what the command says: a newsdesk 9.8.7 installed first on the
    path (its metadata only) is the version --version prints (it printed "0.1.0",
    written by hand in the parser, whatever was installed)."""
    installed = tmp_path / "site" / "newsdesk-9.8.7.dist-info"
    installed.mkdir(parents=True)
    (installed / "METADATA").write_text("Metadata-Version: 2.1\nName: newsdesk\nVersion: 9.8.7\n")
    path = f"{installed.parent}:{Path(newsdesk.__file__).parent.parent}"
    ran = process("--version", cwd=tmp_path, env={"PYTHONPATH": path})
    assert (ran.returncode, ran.stdout) == (0, "newsdesk 9.8.7\n")


def test_a_source_tree_never_installed_reads_its_pyproject(tmp_path: Path) -> None:
    tree = tmp_path / "pyproject.toml"
    tree.write_text('[project]\nname = "newsdesk"\nversion = "3.2.1"\n', encoding="utf-8")
    assert version_of("newsdesk-not-installed-here", tree) == "3.2.1"
    assert source_version(PYPROJECT) == project_version()
    other = tmp_path / "other.toml"
    other.write_text('[project]\nname = "something-else"\nversion = "5.0"\n', encoding="utf-8")
    assert source_version(other) == UNKNOWN  # the package copied into another project
    assert source_version(tmp_path / "missing.toml") == UNKNOWN
    (tmp_path / "broken.toml").write_text("[project\n", encoding="utf-8")
    assert source_version(tmp_path / "broken.toml") == UNKNOWN
