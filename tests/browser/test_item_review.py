"""Item review in Chromium: a bank with a picture browsed as the kiosk shows it, then a wrong key corrected."""
from __future__ import annotations

import base64
import struct
import zlib

import pytest

from exam_server.clock import SystemClock
from tests.integration.conftest import make_services
from tests.integration.test_admin_http import finish_everyone

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def png(width: int, height: int) -> bytes:
    """A small red picture, so the browser really has to decode it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def picture_bank() -> str:
    encoded = base64.b64encode(png(40, 20)).decode()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="multichoice"><name><text>Peta</text></name>'
            '<questiontext format="html"><text><![CDATA[<p style="color: #a00">Pulau yang diarsir adalah</p>'
            '<p><img src="@@PLUGINFILE@@/peta.png" alt="peta"></p>]]></text>'
            f'<file name="peta.png" path="/" encoding="base64">{encoded}</file></questiontext>'
            '<single>true</single>'
            '<answer fraction="100" format="html"><text>Jawa</text></answer>'
            '<answer fraction="0" format="html"><text>Bali</text></answer></question>\n</quiz>')


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandi-admin-1")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".tiles")


def test_a_bank_is_browsed_as_the_kiosk_shows_it_and_a_key_is_corrected(kiosk_server, browsing, tmp_path):
    base, cli = kiosk_server.url, kiosk_server.cli
    bank = tmp_path / "peta.xml"
    bank.write_text(picture_bank(), encoding="utf-8")
    cli("import-bank", str(bank), "--bank", "peta", check=True)
    page = browsing.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base)

    page.click("nav >> text=Bank soal")
    page.click("#bank-table a[href='/admin/banks/peta/v1']")
    page.wait_for_selector("#items .item-view")
    picture = page.locator("#items .stem img")
    picture.wait_for()
    assert page.evaluate("document.querySelector('#items .stem img').naturalWidth") == 40
    assert page.locator("#items .option").count() == 2
    assert page.locator("#items .option-weight").all_inner_texts() == ["1", "0"]
    browsing.shot(page, "bank-browser-with-picture")

    services = make_services(cli.data_dir, cli.database_url, SystemClock())
    try:
        finish_everyone(services, kiosk_server.session)
    finally:
        services.close()
    cli("publish", str(kiosk_server.session["session_id"]), check=True)

    page.goto(f"{base}/admin/banks/umum/v1?q=Garuda")
    page.wait_for_selector("#items .item-view")
    page.click("#items .item-view a")  # the item's own page: usage, statistics, link to correct it
    page.wait_for_selector("#item-statistics")
    browsing.shot(page, "bank-item")
    page.click("#item-statistics a")
    page.wait_for_selector("#correction-form")
    page.fill("input[name=key]", "B")
    page.fill("textarea[name=reason]", "Kunci salah menurut keberatan peserta")
    page.click("#preview-correction")
    page.wait_for_selector("#correction-preview")
    assert "peserta mendapat soal ini" in page.inner_text("#correction-preview")
    browsing.shot(page, "correction-preview")
    page.click("#confirm-correction")
    page.wait_for_selector(".flash.ok")
    assert "Kunci salah menurut keberatan peserta" in page.inner_text("#correction-history")
    browsing.shot(page, "correction-saved")

    assert browsing.errors == []  # the pictures and the items' style attributes break no policy
