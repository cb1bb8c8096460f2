"""The proctor console and the admin pages at 1366x768, 1280x720 and 1024x768: axe-core finds no
WCAG A/AA violation, no control is covered, and the console reads the hall plainly.

The console: a candidate who never came in reads "Belum masuk" in a neutral
colour (not a red "terputus"), a table row stays one line high with its
actions behind one menu button, and points carry a decimal comma in
Indonesian. Screenshots of each page at each size go to test-artifacts/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.page_checks import SIZES, axe_violations, covered_controls
from tests.browser.proctor_fixtures import console_data, console_server, steps  # noqa: F401  (fixtures by name)
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate

pytestmark = pytest.mark.browser

SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]


def checked(steps, page, step: str, size, root: str | None = None) -> None:
    """Screenshot, then the promises every page keeps."""
    width, height = size
    steps.shot(page, f"{step}-{width}x{height}")
    covered = covered_controls(page, root)
    assert not covered, f"{step}: " + "\n".join(covered)
    violations = axe_violations(page, root)
    assert not violations, f"{step}: " + "\n".join(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, step


def correct_answer(candidate) -> tuple[int, str]:
    for item in candidate.call("form")["items"]:
        for option in item["options"]:
            if "Benar" in option["text"]:
                return item["position"], option["key"]
    raise AssertionError("no item with a recognisable correct option")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_the_console_at_hall_sizes(console_server, steps, size):
    server = console_server
    page = steps.new_page(*size)
    page.goto(f"{server.url}/proctor")
    expect(page.locator("#login-submit")).to_be_visible()
    checked(steps, page, "login", size)

    page.fill("#username", "pengawas")
    page.fill("#password", STAFF_PASSWORDS["pengawas"])
    page.click("#login-submit")
    rows = page.locator("#session-rows tr")
    expect(rows).to_have_count(2)
    # newest first: the second sitting was opened last
    assert rows.nth(0).get_attribute("data-session-id") == str(server.session["second_session_id"])
    expect(rows.nth(0).locator("td").nth(2)).to_contain_text("UJI-1 — Ujian uji")
    checked(steps, page, "sessions", size)

    page.click(f'#session-rows button[data-session-id="{server.session["session_id"]}"]')
    expect(page.locator("#grid .tile")).to_have_count(3)
    candidate = logged_in_candidate(server, "P-002")
    try:
        candidate.call("start")
        position, key = correct_answer(candidate)
        assert candidate.call("answer", {"position": position, "choice": key, "seq": 1})["ok"]
        budi = page.locator('#grid .tile[data-number="P-002"]')
        expect(budi).to_have_attribute("data-status", "in_progress")
        expect(budi.locator(".scores")).to_contain_text(re.compile(r"Total \d+,\d\d"))
        assert not re.search(r"\d\.\d", budi.locator(".scores").inner_text())

        # Never came in: said plainly, without the alarm colour of a dropped connection.
        ani = page.locator('#grid .tile[data-number="P-001"]')
        expect(ani.locator(".status")).to_have_text("Belum masuk")
        expect(ani.locator(".conn-part")).to_be_hidden()
        expect(ani).to_have_class(re.compile(r"\bis-absent\b"))
        colour = ani.locator(".status").evaluate("e => getComputedStyle(e).color")
        assert colour != page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--danger')")
        assert colour not in ("rgb(179, 38, 30)",)
        checked(steps, page, "hall", size)

        # The table: one line a row, the actions behind one button.
        page.click("#view-table")
        expect(page.locator("#table-body tr")).to_have_count(3)
        expect(page.locator('#table-body tr[data-number="P-001"] td[data-key="connected"]')).to_have_text("belum masuk")
        expect(page.locator('#table-body tr[data-number="P-002"] td[data-key="total"]')).to_have_text(re.compile(r"^\d+,\d\d$"))
        heights = page.eval_on_selector_all("#table-body tr", "rows => rows.map(r => r.getBoundingClientRect().height)")
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#table-body td')).lineHeight) || 20")
        assert max(heights) < 2 * line + 16, heights
        checked(steps, page, "table", size)

        menu = page.locator('#table-body tr[data-number="P-002"] summary')
        expect(menu).to_have_attribute("aria-label", "Aksi untuk P-002 Budi Santoso")
        menu.click()
        pause = page.locator('#table-body tr[data-number="P-002"] button[data-action="toggle"]')
        expect(pause).to_be_visible()
        # The list is placed beside its button when the menu's toggle event runs: wait for that.
        page.wait_for_function("""() => {
            const list = document.querySelector('#table-body tr[data-number="P-002"] .row-menu-list');
            const box = list.getBoundingClientRect();
            return list.style.top !== '' && box.top >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
        }""")
        assert covered_controls(page, '#table-body tr[data-number="P-002"] .row-menu-list') == []
        steps.shot(page, f"row-menu-{size[0]}x{size[1]}")
        pause.click()
        expect(page.locator("#action-dialog")).to_be_visible()
        expect(page.locator("#dialog-target")).to_contain_text("Budi Santoso")
        checked(steps, page, "pause-dialog", size, "#action-dialog")
        page.click("#dialog-cancel")

        # A candidate who was in and dropped out is "terputus", in red.
        candidate.close()
        expect(page.locator('#table-body tr[data-number="P-002"] td[data-key="connected"]')).to_have_text("terputus")
    finally:
        candidate.close()


ADMIN_PAGES = [("banks", "/admin/banks"), ("sessions", "/admin/sessions"), ("session", "/admin/sessions/{sid}")]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_the_admin_pages_at_hall_sizes(console_server, steps, size):
    server = console_server
    page = steps.new_page(*size)
    page.goto(f"{server.url}/admin/login")
    page.wait_for_selector("input[name=username]")
    checked(steps, page, "login", size)
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", STAFF_PASSWORDS["admin"])
    page.click("button[type=submit].primary")
    page.wait_for_selector(".tiles")
    for name, path in ADMIN_PAGES:
        response = page.goto(server.url + path.format(sid=server.session["session_id"]))
        assert response.status == 200, path
        checked(steps, page, name, size)
