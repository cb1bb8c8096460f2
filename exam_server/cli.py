"""The ``exam-server`` entry point.

Commands that serve (``serve``, ``demo``) patch the standard library for the
configured async mode before anything else is imported; the commands
themselves live in ``exam_server.commands``.
"""
from __future__ import annotations

import sys

SERVING_COMMANDS = {"serve", "demo"}


def _serving_mode(argv: list[str]) -> str | None:
    if not SERVING_COMMANDS.intersection(argv):
        return None
    from exam_server.config import load_settings
    from exam_server.errors import ConfigError

    data = None
    for i, arg in enumerate(argv):
        if arg == "--data" and i + 1 < len(argv):
            data = argv[i + 1]
        elif arg.startswith("--data="):
            data = arg.split("=", 1)[1]
    try:
        return load_settings({"data_dir": data} if data else None).async_mode
    except ConfigError:
        return None  # the command itself reports it


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    mode = _serving_mode(argv)
    if mode:
        from exam_server.async_mode import patch

        patch(mode)
    from exam_server.commands import cli

    cli.main(args=argv, prog_name="exam-server")
