"""The bank browser, retiring an item and correcting a key, over HTTP against a real server (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import re

import pytest
import requests
from sqlalchemy import select

from exam_server.clock import SystemClock
from exam_server.store import models
from tests.integration.conftest import make_services
from tests.integration.sockets import staff_login
from tests.integration.test_admin_http import AdminBrowser, admin, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

ARTICLE = re.compile(r'<article class="item-view')
WEIGHT = re.compile(r'class="option-weight"')


def bank_item_ids(server) -> dict[str, int]:
    """title -> item id of the test bank."""
    from exam_server.services.banks import read_items

    services = make_services(server.data_dir, server.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            ids = session.scalars(select(models.Item.id)).all()
            return {item.title: item_id for item_id, item in read_items(services, session, ids).items()}
    finally:
        services.close()


def chosen_options(server, item_id: int) -> set[int]:
    """The original options candidates chose at an item."""
    services = make_services(server.data_dir, server.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            chosen = set()
            for attempt in session.scalars(select(models.Attempt)):
                for entry in json.loads(attempt.form_json):
                    answer = session.get(models.Response, (attempt.id, entry["position"]))
                    if entry["item_id"] == item_id and answer is not None and answer.choice:
                        chosen.add(entry["option_order"]["ABCD".index(answer.choice)])
            return chosen
    finally:
        services.close()


def test_the_bank_browser_shows_pages_searches_and_retires(server, admin):
    listing = admin.get("/admin/banks")
    assert '/admin/banks/umum/v1"' in listing.text
    page = admin.get("/admin/banks/umum/v1")
    assert page.status_code == 200 and len(ARTICLE.findall(page.text)) == 8
    assert len(WEIGHT.findall(page.text)) == 27  # every option with its weight: the key is shown
    assert "Ibu kota negara Republik Indonesia" in page.text and "Benar: Nusantara" in page.text
    assert "style-src-attr 'unsafe-inline'" in page.headers["Content-Security-Policy"]  # as the kiosk
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    found = admin.get("/admin/banks/umum/v1?q=garuda")
    assert len(ARTICLE.findall(found.text)) == 1 and "Garuda Pancasila" in found.text
    assert len(ARTICLE.findall(admin.get("/admin/banks/umum/v1?category=Lanjut").text)) == 3
    ids = bank_item_ids(server)
    one = admin.get(f"/admin/banks/umum/v1?id={ids['D2']}")
    assert len(ARTICLE.findall(one.text)) == 1 and "Garuda" in one.text
    assert admin.get("/admin/banks/umum/v1?id=x").status_code == 400
    assert admin.get("/admin/banks/umum/v9").status_code == 404

    detail = admin.get(f"/admin/banks/umum/v1/items/{ids['D2']}")
    assert detail.status_code == 200 and "UJI-1" in detail.text
    assert 'id="item-statistics"' in detail.text and "/corrections?item=" in detail.text

    retired = admin.submit(f"/admin/banks/umum/v1/items/{ids['D2']}/retire", {"reason": "Gambar tidak jelas"})
    assert retired.status_code == 303
    assert "Gambar tidak jelas" in admin.get(f"/admin/banks/umum/v1/items/{ids['D2']}").text
    again = admin.submit(f"/admin/banks/umum/v1/items/{ids['D2']}/retire", {"reason": "lagi"}, follow=True)
    assert "already retired" in again.text
    drawn_after = new_session_forms(server)
    assert drawn_after and ids["D2"] not in drawn_after  # never drawn again


def new_session_forms(server) -> set[int]:
    """The item ids drawn for a session opened now (in this process, on the served database)."""
    from exam_server.services import sessions

    services = make_services(server.data_dir, server.database_url, SystemClock())
    try:
        roster = "participant_number,name\n" + "".join(f"R-{n:03},Peserta {n}\n" for n in range(12))
        opened = sessions.create_session(services, "UJI-1", "Sesi baru", roster.encode(), seed=3)
        with services.db.reading() as session:
            forms = session.scalars(select(models.Attempt.form_json)
                                    .where(models.Attempt.session_id == opened["session_id"])).all()
        return {entry["item_id"] for form in forms for entry in json.loads(form)}
    finally:
        services.close()


def test_a_proctor_cannot_open_the_bank_browser_nor_see_a_key(server):
    ids = bank_item_ids(server)
    sid = server.session["session_id"]
    proctor = AdminBrowser(server.url)
    assert proctor.sign_in("pengawas", "sandi-pengawas").status_code == 403
    token = staff_login(server.url, "pengawas", "sandi-pengawas").json()["token"]
    proctor.headers["Authorization"] = f"Bearer {token}"
    for path in ("/admin/banks/umum/v1", f"/admin/banks/umum/v1/items/{ids['D1']}",
                 f"/admin/sessions/{sid}/corrections", f"/admin/sessions/{sid}/corrections?item={ids['D1']}"):
        answer = proctor.get(path)
        assert answer.status_code == 303 and "/admin/login" in answer.headers["Location"]
        assert "Benar" not in answer.text and "option-weight" not in answer.text
    for path, data in ((f"/admin/banks/umum/v1/items/{ids['D1']}/retire", {"reason": "x"}),
                       (f"/admin/sessions/{sid}/corrections", {"item": ids["D1"], "action": "key", "key": "B",
                                                               "reason": "x"})):
        answer = proctor.post(server.url + path, data=data, allow_redirects=False, timeout=30)
        assert answer.status_code in (303, 400) and "Benar" not in answer.text
    # What a proctor can read over the API carries no key either.
    results = proctor.get(f"/api/v1/sessions/{sid}/results")
    assert results.status_code == 200 and "Benar" not in results.text and "weight" not in results.text
    services = make_services(server.data_dir, server.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            retired = session.scalars(select(models.ItemRetirement)).all()
    finally:
        services.close()
    assert retired == []


def test_a_key_is_corrected_from_the_session_page_with_a_preview_first(server, admin):
    sid = server.session["session_id"]
    assert admin.submit(f"/admin/sessions/{sid}/publish").status_code == 303
    ids = bank_item_ids(server)
    before = requests.get(f"{server.url}/api/v1/sessions/{sid}/results", timeout=10,
                          headers={"Authorization": "Bearer " + staff_login(server.url, "admin", "sandi-admin-1")
                                   .json()["token"]}).json()["results"]
    page = admin.get(f"/admin/sessions/{sid}/corrections?item={ids['D1']}")
    assert page.status_code == 200 and "Benar: Nusantara" in page.text and 'id="correction-form"' in page.text
    form = {"item": ids["D1"], "action": "key", "key": "B", "reason": "Kunci salah: jawaban benar B"}
    preview = admin.submit(f"/admin/sessions/{sid}/corrections", form)
    assert preview.status_code == 200 and 'id="preview-table"' in preview.text and 'name="confirm"' in preview.text
    assert 'id="correction-history"' not in preview.text  # nothing saved yet
    refused = admin.submit(f"/admin/sessions/{sid}/corrections", {**form, "key": "Q"})
    assert refused.status_code == 400 and "does not exist" in refused.text

    saved = admin.submit(f"/admin/sessions/{sid}/corrections", {**form, "confirm": "1"})
    assert saved.status_code == 303
    history = admin.get(f"/admin/sessions/{sid}/corrections")
    assert 'id="correction-history"' in history.text and "Kunci salah: jawaban benar B" in history.text

    superseded = 0
    for old in before:
        checked = requests.get(f"{server.url}/api/v1/results/{old['result_id']}/verify", timeout=10).json()
        assert checked["valid"]
        if checked.get("superseded"):
            superseded += 1
            current = checked["superseded_by"]
            assert current["revision"] == 2
            fresh = requests.get(f"{server.url}/api/v1/results/{current['result_id']}/verify", timeout=10).json()
            assert fresh["valid"] and not fresh.get("superseded") and fresh["result"]["supersedes"] == old["result_id"]
            shown = requests.get(f"{server.url}/verify/{old['result_id']}", timeout=10).text
            assert 'id="superseded"' in shown and current["result_id"] in shown
    assert superseded >= 1

    # A key nobody chose: p is 0, so the analysis flags the item and links to its correction.
    unchosen = "ABCD"[min(set(range(4)) - chosen_options(server, ids["D1"]))]
    admin.submit(f"/admin/sessions/{sid}/corrections", {**form, "key": unchosen, "confirm": "1"})
    analysis = admin.get(f"/admin/sessions/{sid}/analysis")
    row = analysis.text.split(f'id="analysis-item-{ids["D1"]}"')[1].split("</tr>")[0]
    assert "p bernilai 0 atau 1" in row and f"/admin/sessions/{sid}/corrections?item={ids['D1']}" in row
    minutes = admin.get(f"/admin/sessions/{sid}")
    assert 'id="corrections-link"' in minutes.text


def test_the_dry_run_report_shows_the_first_items_as_candidates_see_them(server, admin):
    from tests.conftest import QUESTION_BANKS

    with (QUESTION_BANKS / "ujian-dinas" / "ud-twk.gift").open("rb") as handle:
        checked = admin.submit("/admin/banks/upload", {"format": "", "bank_code": ""},
                               {"bank_file": ("ud-twk.gift", handle)})
    assert checked.status_code == 303
    report = admin.get("/admin/banks/review")
    first = report.text.split('id="first-items"')[1]
    assert report.status_code == 200 and len(ARTICLE.findall(first)) == 5 and len(WEIGHT.findall(first)) >= 10
    assert "style-src-attr 'unsafe-inline'" in report.headers["Content-Security-Policy"]
    assert "ud-twk" not in admin.get("/admin/banks").text.split("Bank tersimpan")[1]  # still nothing stored
