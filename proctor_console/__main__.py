"""``python -m proctor_console --server URL --session ID [--username U]``: the terminal proctor console."""
import sys

from proctor_console.terminal_app import main

sys.exit(main())
