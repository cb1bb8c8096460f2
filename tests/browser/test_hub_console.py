"""The examiner's console at a hub, in Chromium: the sites and their sessions, a site's hall live, and the hall
greyed "terakhir terdengar HH:MM" (the office's time) while the site's link is cut, back when it returns."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.proctor_fixtures import steps  # noqa: F401  (fixture used by name)
from tests.conftest import ROOT
from tests.integration.conftest import ExamCli, ServerProcess
from tests.integration.test_sites_link import Hall, candidate_at, sqlite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROSTER = "participant_number,name,password\nA-001,Ani Lestari,sandi-a001\nA-002,Agus Salim,sandi-a002\n"


@pytest.fixture
def hub_and_hall(tmp_path):
    """A hub in an office on WIT time, one site 'A' with an opened session, the site linked through a relay."""
    from exam_server.clock import SystemClock
    from exam_server.services import banks, exams, users
    from tests.integration.conftest import make_services
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK

    hub_cli = ExamCli(tmp_path / "hub", sqlite(tmp_path / "hub"))
    hub_cli("init", "--role", "hub", check=True)
    services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    users.add_user(services, "admin", "penguji", "sandi-penguji-1")
    services.close()
    enrollment = json.loads(hub_cli("site", "add", "A", "--name", "Aula Jayapura", "--json", check=True).out)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    session = json.loads(hub_cli("create-session", "--exam", "UJI-1", "--name", "Sesi Pagi", "--candidates",
                                 str(roster), "--site", "A", "--hall", "Cendrawasih", "--seed", "5", "--json",
                                 check=True).out)
    hub_cli("open-session", str(session["session_id"]), check=True)
    hub = ServerProcess(hub_cli.data_dir, hub_cli.database_url, extra_env={"EXAM_OFFICE_ZONE": "WIT"}).start()
    hall = Hall(tmp_path, "A", hub)
    try:
        hall.setup(enrollment["enrollment_code"])
        yield hub_cli, hub, hall, session
    finally:
        if hall.server:
            hall.server.stop()
        hall.relay.close()
        hub.stop()


def tile(page, number: str):
    return page.locator(f'#grid .tile[data-number="{number}"]')


def test_the_hub_console_follows_a_site_through_a_cut(hub_and_hall, steps):
    hub_cli, hub, hall, session = hub_and_hall
    page = steps.new_page(timezone_id="UTC")  # the browser's zone is not the office's: times must be WIT
    page.goto(f"{hub.url}/proctor")
    page.fill("#username", "penguji")
    page.fill("#password", "sandi-penguji-1")
    page.click("#login-submit")

    # The sites, each with its state and backlog, and their sessions under them.
    site_row = page.locator('#session-rows tr.site-row[data-site="A"]')
    expect(site_row).to_contain_text("Situs A — Aula Jayapura")
    expect(site_row).to_contain_text("daring")
    expect(site_row).to_contain_text("antrean 0 kejadian")
    session_row = page.locator(f'#session-rows tr[data-session-id="{session["session_id"]}"]')
    expect(session_row).to_contain_text("Sesi Pagi · Ruang: Cendrawasih")
    assert page.evaluate("""(id) => {
        const rows = [...document.querySelectorAll('#session-rows tr')];
        const site = rows.findIndex(r => r.dataset.site === 'A');
        return site >= 0 && rows[site + 1].dataset.sessionId === String(id);
    }""", session["session_id"]), "the site's session is not listed under its site"
    steps.shot(page, "sites-and-sessions")
    session_row.locator("button").click()
    expect(page.locator("#grid .tile")).to_have_count(2)
    expect(page.locator("#session-site")).to_have_text("Situs A: tersambung ke hub")

    # A candidate answers at the site: the hub's tile follows.
    ani = candidate_at(hall, session, "A-001", "sandi-a001")
    try:
        assert ani.call("start")["ok"]
        assert ani.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"]
        ani_tile = tile(page, "A-001")
        expect(ani_tile).to_have_attribute("data-status", "in_progress")
        expect(ani_tile).to_have_attribute("data-connected", "true")
        expect(ani_tile.locator(".answered")).to_have_attribute("data-answered", "1")
        expect(ani_tile.locator(".conn")).to_have_text("tersambung")
        ani_tile.evaluate("node => { node.dataset.seen = 'yes'; }")  # the same tile must stay, not be rebuilt
        steps.shot(page, "site-hall-live")

        # The link is cut: greyed in place, with the time the site was last heard in the office's zone.
        hall.relay.cut()
        expect(page.locator("#session-site")).to_contain_text("Situs A terputus — terakhir terdengar", timeout=15_000)
        site = next(s for s in json.loads(hub_cli("sites", "--json", check=True).out) if s["site"] == "A")
        assert site["online"] is False
        heard = datetime.fromisoformat(site["last_seen"].replace("Z", "+00:00")).astimezone(
            ZoneInfo("Asia/Jayapura")).strftime("%H:%M")
        expect(page.locator("#session-site")).to_have_text(f"Situs A terputus — terakhir terdengar {heard}")
        expect(ani_tile).to_have_class(re.compile(r"\bsite-offline\b"))
        expect(ani_tile).to_have_attribute("data-connected", "false")
        expect(ani_tile.locator(".conn")).to_have_text(f"terakhir terdengar {heard}")
        expect(ani_tile).to_have_attribute("data-seen", "yes")
        assert ani.call("answer", {"position": 2, "choice": "B", "seq": 1})["saved"]  # the hall goes on
        steps.shot(page, "site-cut-greyed")

        # The terminal console at the hub says the same (its clock set to the office's zone).
        terminal = subprocess.run(
            [sys.executable, "-m", "proctor_console", "--server", hub.url, "--username", "penguji",
             "--session", str(session["session_id"])], input="quit\n", capture_output=True, text=True, timeout=60,
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "PROCTOR_PASSWORD": "sandi-penguji-1",
                           "NO_COLOR": "1", "TZ": "Asia/Jayapura"})
        assert terminal.returncode == 0, terminal.stderr
        assert f"situs A terputus — terakhir terdengar {heard}" in terminal.stdout
        assert re.search(r"^#\d+ +A-001 .* kerja +-- ", terminal.stdout, re.MULTILINE), terminal.stdout

        # Restored: back in colour, connected, with the answer given during the cut.
        hall.relay.restore()
        expect(page.locator("#session-site")).to_have_text("Situs A: tersambung ke hub", timeout=15_000)
        expect(ani_tile).not_to_have_class(re.compile(r"\bsite-offline\b"))
        expect(ani_tile).to_have_attribute("data-connected", "true")
        expect(ani_tile.locator(".conn")).to_have_text("tersambung")
        expect(ani_tile.locator(".answered")).to_have_attribute("data-answered", "2")
        expect(ani_tile).to_have_attribute("data-seen", "yes")
        steps.shot(page, "site-restored")
    finally:
        ani.close()
    assert [e for e in steps.errors if e.startswith("page error")] == []
