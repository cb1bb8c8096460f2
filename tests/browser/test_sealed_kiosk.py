"""A kiosk at a site whose session is still sealed says so, and gets in by itself once the hub opens it."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.integration.conftest import ExamCli, ServerProcess
from tests.integration.test_sealed_sessions import create
from tests.integration.test_sites_link import Hall, sqlite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_kiosk_waits_for_a_sealed_session_and_enters_once_the_hub_opens_it(tmp_path, browsing):
    from exam_server.clock import SystemClock
    from exam_server.services import banks, exams
    from tests.integration.conftest import make_services
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK

    hub_cli = ExamCli(tmp_path / "hub", sqlite(tmp_path / "hub"))
    hub_cli("init", "--role", "hub", check=True)
    services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    services.close()
    enrollment = json.loads(hub_cli("site", "add", "A", "--name", "Aula A", "--json", check=True).out)
    sealed = create(hub_cli, tmp_path, "Sesi tersegel", "A")
    hub = ServerProcess(hub_cli.data_dir, hub_cli.database_url).start()
    hall = Hall(tmp_path, "A", hub)
    try:
        hall.setup(enrollment["enrollment_code"])
        page = browsing.new_page(width=1366, height=768)
        page.goto(hall.server.url + "/")
        page.fill("#session-token", sealed["session_token"])
        page.fill("#participant-number", "S-001")
        page.fill("#password", "sandi-s001")
        page.click("#login-submit")
        expect(page.locator("#login-error")).to_contain_text("Sesi belum dibuka")
        browsing.shot(page, "sealed-session-not-open")

        hub_cli("open-session", str(sealed["session_id"]), check=True)
        # Nobody touches the kiosk again: it tries by itself and goes on to the candidate's identity.
        expect(page.locator("#screen-identity")).to_be_visible(timeout=20_000)
        browsing.shot(page, "sealed-session-opened")
        # The refused logins are logged by the browser as 403s; the page itself raised nothing.
        assert [e for e in browsing.errors if e.startswith("page error")] == []
    finally:
        if hall.server:
            hall.server.stop()
        hall.relay.close()
        hub.stop()
