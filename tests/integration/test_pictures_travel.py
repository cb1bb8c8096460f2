"""A bank with pictures, exported on one server and imported on another, keeps its pictures.

Each server is a fresh data folder with its own SQLite database. The bank is
exported from the first, imported on the second, and exported again: the
items and the picture bytes are the same at every step.
"""
from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pytest
from PIL import Image

from exam_server.banks.export import export_bank
from exam_server.banks.importer import parse_bank
from exam_server.banks.safety import image_asset_name
from exam_server.domain.items import Item, Option
from exam_server.services import banks
from tests.integration.conftest import make_services

EXTENSIONS = {"gift": ".gift", "xlsx": ".xlsx", "qti": ".zip"}


def picture(colour: tuple[int, int, int], kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), colour).save(buffer, kind)
    return buffer.getvalue()


PICTURES = [picture((200, 30, 30)), picture((30, 200, 30)), picture((30, 30, 200), "JPEG")]
# The JPEG keeps the extension .jpeg, as an imported "foto.jpeg" does: the name must survive too.
NAMES = [image_asset_name(data, f"gambar{n}.{'jpeg' if n == 2 else 'png'}") for n, data in enumerate(PICTURES)]


def bank() -> tuple[list[Item], dict[str, bytes]]:
    items = [
        Item(stem=f'<p>Lambang sila ketiga Pancasila adalah ... <img src="asset:{NAMES[0]}" alt="lambang"></p>',
             options=(Option("Pohon beringin", Decimal(1)), Option("Rantai", Decimal(0)),
                      Option(f'<img src="asset:{NAMES[1]}" alt="bintang">', Decimal(0))),
             category="TWK", title="TWK-01"),
        Item(stem="<p>Sikap Anda ketika rekan kerja meminta bantuan?</p>",
             options=(Option("Membantu segera", Decimal(1)), Option("Menunda", Decimal("0.6")),
                      Option(f'Menolak <img src="asset:{NAMES[2]}" alt="">', Decimal("0.2"))),
             category="TKP", title="TKP-01"),
    ]
    return items, dict(zip(NAMES, PICTURES))


@pytest.fixture
def two_servers(tmp_path, clock):
    first = make_services(tmp_path / "kantor-a", f"sqlite:///{tmp_path / 'a.db'}", clock)
    second = make_services(tmp_path / "kantor-b", f"sqlite:///{tmp_path / 'b.db'}", clock)
    yield first, second
    first.close()
    second.close()


def plain(items: list[Item]) -> list[Item]:
    return [dataclasses.replace(item, source="") for item in items]


@pytest.mark.parametrize("fmt", ["gift", "xlsx", "qti"])
def test_a_bank_with_pictures_travels_to_a_fresh_server_and_back(two_servers, fmt):
    first, second = two_servers
    items, assets = bank()
    banks.import_bank(first, export_bank(items, assets, "qti"), "asal.zip", bank_code="asal")
    exported = export_bank(*banks.bank_items(first, "asal"), fmt)

    report = banks.import_bank(second, exported, f"kiriman{EXTENSIONS[fmt]}", bank_code="kiriman")
    assert (report["imported"], report["skipped"], report["warnings"]) == (2, [], [])
    travelled, pictures = banks.bank_items(second, "kiriman")
    assert pictures == assets
    again = parse_bank(export_bank(travelled, pictures, fmt), f"lagi{EXTENSIONS[fmt]}", fmt)
    assert again.assets == assets and again.skipped == []
    assert plain(again.items) == plain(travelled) == plain(items)


def test_gift_export_writes_standard_data_uris(two_servers):
    first, _ = two_servers
    items, assets = bank()
    banks.import_bank(first, export_bank(items, assets, "qti"), "asal.zip", bank_code="asal")
    text = export_bank(*banks.bank_items(first, "asal"), "gift").decode()
    assert "asset:" not in text
    assert text.count('<img src\\="data\\:image/png;base64,') == 2
    assert text.count(f'<img src\\="data\\:image/jpeg;name\\={NAMES[2]};base64,') == 1


@pytest.mark.parametrize("fmt", ["gift", "xlsx"])
def test_a_picture_the_file_does_not_carry_skips_its_question_with_the_reason(two_servers, fmt):
    _, second = two_servers
    items, _ = bank()
    tkp_without_picture = dataclasses.replace(items[1], options=items[1].options[:2])
    stale = _stale_export([items[0], tkp_without_picture], fmt)
    report = banks.import_bank(second, stale, f"lama{EXTENSIONS[fmt]}", bank_code="lama")
    assert report["imported"] == 1
    (skipped,) = report["skipped"]
    assert skipped["item"] == "TWK-01"
    assert f"asset:{NAMES[0]}" in skipped["reason"] and "not in this file" in skipped["reason"]
    kept, pictures = banks.bank_items(second, "lama")
    assert pictures == {}
    assert export_bank(kept, pictures, "qti").startswith(b"PK")  # no dangling picture to fail on


def _stale_export(items: list[Item], fmt: str) -> bytes:
    """What an export wrote before pictures travelled: ``asset:`` references and no pictures."""
    if fmt == "gift":
        from exam_server.banks.export.gift import question_lines

        return "\n\n".join("\n".join(question_lines(item)) for item in items).encode()
    from exam_server.banks.export.xlsx import _columns, _row
    from exam_server.banks.template import workbook_bytes

    return workbook_bytes([_row(item) for item in items], _columns(5))
