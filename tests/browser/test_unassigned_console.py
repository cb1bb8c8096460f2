"""The console closes a session an admin took the proctor off, and says why, in Chromium."""
from __future__ import annotations

import pytest

from tests.browser.proctor_fixtures import console_data, console_server, steps  # noqa: F401  (fixtures used by name)
from tests.browser.test_proctor_console import expect, sign_in, tile
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate
from tests.integration.test_unassigned_proctor import _unassign

pytestmark = pytest.mark.browser


def test_the_console_closes_a_session_its_proctor_was_taken_off(console_server, steps):
    server = console_server
    page = steps.new_page()
    page.goto(f"{server.url}/proctor")
    sign_in(page, "pengawas", STAFF_PASSWORDS["pengawas"])
    page.click(f'#session-rows button[data-session-id="{server.session["session_id"]}"]')
    candidate = logged_in_candidate(server, "P-001")
    expect()(tile(page, "P-001")).to_have_attribute("data-connected", "true")

    _unassign(server, "pengawas")
    expect()(page.locator("#picker-error")).to_contain_text("Admin mencabut tugas Anda di sesi Sesi 1",
                                                            timeout=3_000)
    steps.shot(page, "unassigned")
    expect()(page.locator(f'#session-rows button[data-session-id="{server.session["session_id"]}"]')).to_have_count(0)
    candidate.close()
    assert steps.errors == []
