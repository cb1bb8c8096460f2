"""``python -m proctor_console --url URL --username U [--session ID]``: the terminal proctor console."""
import sys

from proctor_console.terminal_app import main

sys.exit(main())
