"""A proctor's control whose delivery was lost is sent again until the site answers, and carried out once there."""
from __future__ import annotations

import json

from exam_server.clock import SystemClock
from exam_server.sites import hub
from exam_server.sites.commands import first_delivery
from exam_server.sites.role import choose_role
from exam_server.store import models
from tests.integration.conftest import make_services
from tests.integration.test_sites_ingest import hub_services  # noqa: F401  (a fixture)


def queue(services, action: str, expires_in_ms: int) -> int:
    with services.db.unit_of_work() as session:
        site = session.query(models.Site).filter_by(code="A").one()
        row = models.SiteCommand(site_id=site.id, action=action, body_json=json.dumps({"session_id": 1}),
                                 actor="admin", expires_at=services.now() + expires_in_ms, state="pending",
                                 outcome_json="{}", created_at=services.now())
        session.add(row)
        session.flush()
        return row.id


def test_a_command_goes_again_until_its_outcome_arrives(hub_services):  # noqa: F811
    command = queue(hub_services, "announce", 8000)
    gone = queue(hub_services, "pause", -1)  # past its expiry: never delivered
    first, _ = hub.exchange(hub_services, "A", {})
    again, _ = hub.exchange(hub_services, "A", {})  # the first answer was lost on its way
    assert [c["id"] for c in first["commands"]] == [c["id"] for c in again["commands"]] == [command]
    hub.exchange(hub_services, "A", {"outcomes": [{"id": command, "ok": True}]})
    assert hub.exchange(hub_services, "A", {})[0]["commands"] == []
    with hub_services.db.reading() as session:
        assert session.get(models.SiteCommand, command).state == "done"
        assert session.get(models.SiteCommand, gone).state == "pending"


def test_the_site_carries_out_each_command_id_once_even_after_a_restart(tmp_path, database_url):
    data = tmp_path / "site"
    data.mkdir()
    choose_role(data, "site")
    services = make_services(data, database_url, SystemClock())
    assert first_delivery(services, {"id": 7, "action": "extend"})
    assert not first_delivery(services, {"id": 7, "action": "extend"})
    assert first_delivery(services, {"id": 8, "action": "extend"})
    services.close()
    services = make_services(data, database_url, SystemClock())
    assert not first_delivery(services, {"id": 7, "action": "extend"})
    assert first_delivery(services, {"id": "x"})  # refused later by carry_out, with its reason
    services.close()
