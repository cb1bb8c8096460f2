"""Published results are signed; anyone with the public key can check them, offline or on the web."""
from __future__ import annotations

import json

import pytest
import requests

from exam_server.services import answering, attempts
from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow


@pytest.fixture
def finished(services, exam_session, tmp_path, database_url):
    login = attempts.login(services, exam_session["session_token"], "P-001", exam_session["passwords"]["P-001"])
    attempts.start(services, login["attempt_id"])
    answering.answer(services, login["attempt_id"], 1, "A", 1)
    answering.submit(services, login["attempt_id"])
    return ExamCli(tmp_path / "data", database_url), exam_session


def test_publish_signs_every_result_and_verify_checks_them_offline(finished, tmp_path):
    cli, opened = finished
    published = cli("publish", str(opened["session_id"]), "--json", check=True).json()
    assert published["signed"] == 3 and published["results"] == 3
    out = tmp_path / "hasil.json"
    cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    document = json.loads(out.read_text())
    assert {r["status"] for r in document["results"]} == {"submitted", "not_started"}
    assert all(r["signature"] and r["key_id"] == published["key_id"] for r in document["results"])
    assert cli("verify", str(out)).code == 0

    single = tmp_path / "satu.json"
    single.write_text(json.dumps(document["results"][0]))
    assert cli("verify", str(single)).code == 0

    document["results"][1]["total"] = "99.00"  # someone improves a score
    out.write_text(json.dumps(document))
    run = cli("verify", str(out))
    assert run.code == 3 and "NOT VALID" in run.out and run.out.count("\tvalid") == 2


def test_results_stay_verifiable_after_a_key_rotation_and_with_the_served_key(finished, tmp_path):
    cli, opened = finished
    cli("publish", str(opened["session_id"]), check=True)
    out = tmp_path / "hasil.json"
    cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    cli("rotate-key", check=True)
    assert cli("verify", str(out)).code == 0
    # Publishing again signs nothing anew: signed results keep their signature.
    assert cli("publish", str(opened["session_id"]), "--json", check=True).json()["signed"] == 0


def test_publishing_closes_the_session_and_waits_for_running_attempts(services, exam_session, tmp_path, database_url):
    cli = ExamCli(tmp_path / "data", database_url)
    login = attempts.login(services, exam_session["session_token"], "P-002", exam_session["passwords"]["P-002"])
    attempts.start(services, login["attempt_id"])
    refused = cli("publish", str(exam_session["session_id"]))
    assert refused.code == 2 and "P-002" in refused.err
    answering.submit(services, login["attempt_id"])
    cli("publish", str(exam_session["session_id"]), check=True)
    from exam_server.errors import ExamError

    with pytest.raises(ExamError) as closed:
        attempts.login(services, exam_session["session_token"], "P-003", exam_session["passwords"]["P-003"])
    assert closed.value.code == "session_closed"


def test_the_web_verifies_a_result_and_serves_the_public_key(live, tmp_path):
    from tests.integration.sockets import STAFF_PASSWORDS, staff_login

    admin = staff_login(live.url, "admin", STAFF_PASSWORDS["admin"]).json()["token"]
    proctor = staff_login(live.url, "pengawas", STAFF_PASSWORDS["pengawas"]).json()["token"]
    session_id = live.session["session_id"]
    assert requests.post(f"{live.url}/api/v1/sessions/{session_id}/publish",
                         headers={"Authorization": f"Bearer {proctor}"}, timeout=10).status_code == 403
    published = requests.post(f"{live.url}/api/v1/sessions/{session_id}/publish",
                              headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert published.status_code == 200 and published.json()["signed"] == 3
    results = requests.get(f"{live.url}/api/v1/sessions/{session_id}/results",
                           headers={"Authorization": f"Bearer {proctor}"}, timeout=10).json()["results"]
    checked = requests.get(f"{live.url}/api/v1/results/{results[0]['result_id']}/verify", timeout=10).json()
    assert checked["valid"] is True and checked["result"] == results[0]
    assert requests.get(f"{live.url}/api/v1/results/not-a-result/verify", timeout=10).status_code == 404
    keys = tmp_path / "keys.json"
    keys.write_text(requests.get(f"{live.url}/api/v1/keys", timeout=10).text)
    document = tmp_path / "hasil.json"
    document.write_text(json.dumps({"session_id": session_id, "results": results}))
    cli = ExamCli(tmp_path / "elsewhere", live.database_url)  # a stranger's machine: only the served key
    assert cli("verify", str(document), "--public-key", str(keys)).code == 0


def test_a_result_names_its_exam_and_session_inside_the_signature(finished, tmp_path):
    cli, opened = finished
    cli("publish", str(opened["session_id"]), check=True)
    out = tmp_path / "hasil.json"
    cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    document = json.loads(out.read_text())
    assert {(r["exam_code"], r["session_id"]) for r in document["results"]} == {("UJI-1", opened["session_id"])}
    for field, other in (("exam_code", "UJI-2"), ("session_id", opened["session_id"] + 1)):
        moved = dict(document["results"][0], **{field: other})  # a slip passed off as another sitting's
        single = tmp_path / f"{field}.json"
        single.write_text(json.dumps(moved))
        run = cli("verify", str(single))
        assert run.code == 3 and "NOT VALID" in run.out


def test_a_results_file_that_repeats_a_key_is_refused(finished, tmp_path):
    cli, opened = finished
    cli("publish", str(opened["session_id"]), check=True)
    out = tmp_path / "hasil.json"
    cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    genuine = json.loads(out.read_text())["results"][0]
    # A reader that keeps the first of two "total" keys shows 99.00; one that keeps the last checks the signature.
    forged = tmp_path / "ganda.json"
    forged.write_text('{"total": "99.00", ' + json.dumps(genuine)[1:])
    assert json.loads(forged.read_text()) == genuine
    run = cli("verify", str(forged))
    assert run.code == 3 and '"total"' in run.out + run.err and "twice" in run.out + run.err
    as_json = cli("verify", str(forged), "--json")
    assert as_json.code == 3 and as_json.json()["valid"] is False


def test_the_web_refuses_a_stored_result_that_repeats_a_key(live):
    from sqlalchemy import select

    from exam_server.store import models
    from tests.integration.helpers import in_process_services
    from tests.integration.sockets import STAFF_PASSWORDS, staff_login

    admin = staff_login(live.url, "admin", STAFF_PASSWORDS["admin"]).json()["token"]
    requests.post(f"{live.url}/api/v1/sessions/{live.session['session_id']}/publish",
                  headers={"Authorization": f"Bearer {admin}"}, timeout=10).raise_for_status()
    services = in_process_services(ExamCli(live.data_dir, live.database_url))
    try:
        with services.db.unit_of_work() as session:
            result = session.scalars(select(models.Result).where(models.Result.session_id == live.session["session_id"])).first()
            result.document_json = '{"total": "99.00", ' + result.document_json[1:]
            result_id = result.id
    finally:
        services.close()
    checked = requests.get(f"{live.url}/api/v1/results/{result_id}/verify", timeout=10).json()
    assert checked["valid"] is False and "twice" in checked["problem"]
    page = requests.get(f"{live.url}/verify/{result_id}", timeout=10)
    assert "TIDAK SAH" in page.text and "twice" in page.text
