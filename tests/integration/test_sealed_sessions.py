"""A sealed session at a site: nothing readable before opening; opened by the hub, or by a release code offline."""
from __future__ import annotations

import json
import time

import pytest

from tests.integration.conftest import ExamCli, ServerProcess
from tests.integration.sockets import candidate_login
from tests.integration.test_sites_link import Hall, sqlite, wait_until

pytestmark = pytest.mark.slow

ROSTER = "participant_number,name,password\nS-001,Sari,sandi-s001\n"
SECRETS = ("Nusantara", "Garuda", "Ketuhanan", "Bhinneka", "Benar")


def create(hub_cli, tmp_path, name, site) -> dict:
    csv = tmp_path / "roster.csv"
    csv.write_text(ROSTER)
    return json.loads(hub_cli("create-session", "--exam", "UJI-1", "--name", name, "--candidates", str(csv),
                              "--site", site, "--json", check=True).out)


def folder_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_sealed_until_opened_by_the_hub_or_by_code(tmp_path):
    from exam_server.services import banks, exams
    from tests.integration.conftest import make_services
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK
    from exam_server.clock import SystemClock

    hub_cli = ExamCli(tmp_path / "hub", sqlite(tmp_path / "hub"))
    hub_cli("init", "--role", "hub", check=True)
    services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    services.close()
    code_a = json.loads(hub_cli("site", "add", "A", "--name", "Aula A", "--json", check=True).out)["enrollment_code"]
    hub_cli("site", "add", "B", "--name", "Aula B", check=True)
    by_link = create(hub_cli, tmp_path, "Sesi buka hub", "A")
    by_code = create(hub_cli, tmp_path, "Sesi buka kode", "A")
    other = create(hub_cli, tmp_path, "Sesi lain", "A")
    at_b = create(hub_cli, tmp_path, "Sesi B", "B")
    codes = {name: json.loads(hub_cli("release-code", str(s["session_id"]), "--json", check=True).out)["release_code"]
             for name, s in (("by_code", by_code), ("other", other), ("at_b", at_b))}
    assert all(len(c.replace("-", "")) == 16 for c in codes.values())
    hub = ServerProcess(hub_cli.data_dir, hub_cli.database_url).start()
    hall = Hall(tmp_path, "A", hub)
    try:
        done = hall.setup(code_a)
        assert done["synced"]["pulled_sessions"] == 3
        # Before opening: no item text, no key and no release code anywhere in the site's data folder.
        stored = folder_bytes(hall.cli.data_dir)
        for secret in SECRETS:
            assert secret.encode() not in stored, secret
        for code in codes.values():
            assert code.encode() not in stored and code.replace("-", "").encode() not in stored
        login = candidate_login(hall.server.url, by_link["session_token"], "S-001", "sandi-s001")
        assert login.status_code == 403 and login.json()["error"]["code"] == "session_not_open"

        # Opened by the hub: candidates get in within seconds.
        hub_cli("open-session", str(by_link["session_id"]), check=True)
        opened_at = time.monotonic()
        wait_until(lambda: candidate_login(hall.server.url, by_link["session_token"], "S-001", "sandi-s001")
                   .status_code == 200, 10, "the session opened by the hub did not let candidates in")
        assert time.monotonic() - opened_at < 5

        # With the link cut: a wrong code, another session's and another site's are refused; the right one opens.
        hall.relay.cut()
        for wrong in ("0000-0000-0000-0000", codes["other"], codes["at_b"]):
            refused = hall.cli("open-session", str(by_code["session_id"]), "--release-code", wrong)
            assert refused.code == 2 and "release code" in refused.err, refused.err
        assert candidate_login(hall.server.url, by_code["session_token"], "S-001", "sandi-s001").status_code == 403
        opened = json.loads(hall.cli("open-session", str(by_code["session_id"]), "--release-code", codes["by_code"],
                                     "--json", check=True).out)
        assert opened == {"session_id": by_code["session_id"], "opened": True, "how": "code"}
        assert candidate_login(hall.server.url, by_code["session_token"], "S-001", "sandi-s001").status_code == 200
        # Wrong codes are rate limited like passwords: after five, even the right one waits.
        for _ in range(5):
            assert hall.cli("open-session", str(other["session_id"]), "--release-code", "1111-1111-1111-1111").code == 2
        locked = hall.cli("open-session", str(other["session_id"]), "--release-code", codes["other"])
        assert locked.code == 2 and "too many" in locked.err
        # Audit at both ends: who opened which session, where, how.
        hall.relay.restore()
        site_audit = _audit(hall.cli)
        assert {("session_open", f"session:{by_link['session_id']}", "link"),
                ("session_open", f"session:{by_code['session_id']}", "code")} <= site_audit
        wait_until(lambda: ("session_opened_at_site", f"session:{by_code['session_id']}", "code") in _audit(hub_cli),
                   10, "the hub did not learn the session was opened by code")
        assert ("session_open", f"session:{by_link['session_id']}", "link") in _audit(hub_cli)
        # ... and in the minutes (berita acara), in words, at both ends.
        assert "sesi tersegel dibuka dengan kode rilis (situs A)" in _minutes(hall.cli, by_code["session_id"], tmp_path)
        assert "situs A melaporkan: sesi dibuka dengan kode rilis" in _minutes(hub_cli, by_code["session_id"], tmp_path)
        assert "sesi tersegel dibuka oleh hub melalui tautan (situs A)" in _minutes(hub_cli, by_link["session_id"], tmp_path)
    finally:
        if hall.server:
            hall.server.stop()
        hall.relay.close()
        hub.stop()


def _minutes(cli, session_id: int, tmp_path) -> str:
    """The words of the session's minutes as printed (PDF), whitespace made single."""
    from pypdf import PdfReader

    out = tmp_path / f"minutes-{cli.data_dir.name}-{session_id}.pdf"
    cli("minutes", str(session_id), "--format", "pdf", "--out", str(out), check=True)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())


def _audit(cli) -> set:
    from sqlalchemy import create_engine, text

    engine = create_engine(cli.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("select action, target, detail_json from audit_log")).all()
    engine.dispose()
    return {(a, t, json.loads(d).get("how")) for a, t, d in rows}
