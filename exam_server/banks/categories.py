"""Moodle's category paths ('$course$/top/TWK/Sila 1') as the category names of this server."""
from __future__ import annotations

import re

# One "/" separates names; Moodle writes a "/" inside a name as "//" (question/format.php).
_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_CONTEXT = re.compile(r"^\$[A-Za-z0-9_]+\$$")


def moodle_category(path: str) -> str:
    """'$course$/top/TWK' -> 'TWK'; 'top/Fisika//Kimia' -> 'Fisika/Kimia' (the escape undone).

    The server writes sub-categories with "/", so a name that held a "/" reads
    as a category and its sub-category; that keeps the name as people wrote it.
    """
    names = [name.replace("//", "/").strip() for name in _SEPARATOR.split(path.strip())]
    if names and _CONTEXT.match(names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return "/".join(name for name in names if name).strip("/ ")
