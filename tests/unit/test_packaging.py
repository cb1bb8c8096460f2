"""The project's own packaging builds without a setuptools warning and ships every page file.

``scripts/setup`` installs the checkout with ``pip install -e .``; a newcomer's
first run should show nothing to worry about. Building the packages from a copy
of the sources with the installed setuptools takes about a second, runs
offline, and goes through the same package discovery and package-data rules.
"""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT

# One file of each kind the server reads from its own package at run time.
SHIPPED = (
    "exam_server/web/templates/kiosk.html",
    "exam_server/web/templates/admin/base.html",
    "exam_server/web/templates/admin/en.toml",
    "exam_server/web/static/kiosk/kiosk.js",
    "exam_server/web/static/kiosk/kiosk.css",
    "exam_server/web/static/admin/admin.css",
    "exam_server/store/migrations/script.py.mako",
    "exam_server/store/migrations/versions/0001_initial_schema.py",
    "proctor_console/templates/proctor.html",
    "proctor_console/static/console.js",
    "proctor_console/static/console.css",
)


def test_the_packages_build_without_warnings_and_carry_their_pages(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("exam_server", "proctor_console"):
        shutil.copytree(ROOT / package, source / package, ignore=skip)
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    # Without it setuptools says that byte-compiling is off: true, but not the project's doing.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "--build-lib", str(tmp_path / "build")],
        cwd=source, env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert "packages` configuration" not in built.stderr, built.stderr
    assert "warning" not in built.stderr.lower(), built.stderr
    missing = [name for name in SHIPPED if not (tmp_path / "build" / name).is_file()]
    assert missing == []


def test_the_terminal_console_is_installed_as_a_command():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    scripts = dict(line.split(" = ") for line in config["options.entry_points"]["console_scripts"].split("\n") if line)
    assert scripts["proctor-console"] == "proctor_console.terminal_app:main"
    assert scripts["exam-server"] == "exam_server.cli:main"
