"""The terminal console's line for a site going off line names when it was last heard."""
from proctor_console import terminal


def test_site_lines_in_both_languages():
    off = {"site": "A", "online": False, "last_seen": "2026-12-07T14:02:00.000Z", "backlog": 3}
    assert "terputus" in str(terminal.site_line(off)) and "terakhir terdengar" in str(terminal.site_line(off))
    assert "last heard" in str(terminal.site_line(off, "en"))
    assert "--:--" in str(terminal.site_line({"site": "A", "online": False, "last_seen": "garbage"}, "en"))
    assert "linked again" in str(terminal.site_line({"site": "A", "online": True}, "en"))
