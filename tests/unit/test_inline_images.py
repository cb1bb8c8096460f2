"""Pictures written into a text file as data: URIs are stored as assets; a reference the file lacks skips its item."""
from __future__ import annotations

import base64
import io
import os
from decimal import Decimal

import pytest
from PIL import Image

from exam_server.banks.base import BankFormatError
from exam_server.banks.export import export_bank
from exam_server.banks.importer import parse_bank
from exam_server.banks.safety import image_asset_name
from exam_server.banks.svg import stored_image
from exam_server.domain.items import Item, Option
from exam_server.errors import BadInput, ExamError


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def gift_with(src: str) -> bytes:
    return (f'::Gambar::[html]<p>Perhatikan gambar <img src\\="{src}" alt\\="peta"></p>'
            "{=Benar ~Salah}\n\n::Biasa:: Ibu kota Indonesia? {=Jakarta ~Bandung}\n").encode()


def test_a_data_uri_picture_in_gift_becomes_an_asset():
    data = png()
    result = parse_bank(gift_with("data:image/png;base64," + base64.b64encode(data).decode()), "bank.gift")
    name = image_asset_name(data, "image")
    assert result.assets == {name: data}
    assert result.items[0].stem == f'<p>Perhatikan gambar <img src="asset:{name}" alt="peta"></p>'


def test_an_unknown_asset_reference_skips_the_question_and_keeps_the_rest():
    result = parse_bank(gift_with("asset:0123456789abcdef0123456789abcdef.png"), "bank.gift")
    assert [item.title for item in result.items] == ["Biasa"]
    (skipped,) = result.skipped
    assert (skipped.item, skipped.line) == ("Gambar", "1")
    assert "asset:0123456789abcdef0123456789abcdef.png is not in this file" in skipped.reason


def test_strict_import_refuses_the_file_with_the_unknown_reference():
    with pytest.raises(BankFormatError, match="not in this file"):
        parse_bank(gift_with("asset:0123456789abcdef0123456789abcdef.png"), "bank.gift", strict=True)


def test_a_data_uri_that_is_not_a_picture_refuses_the_file_at_its_question():
    fake = "data:image/png;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()
    with pytest.raises(BankFormatError) as refused:
        parse_bank(gift_with(fake), "bank.gift")
    (problem,) = refused.value.problems
    assert problem.where == "bank.gift:1" and "SVG" in problem.reason


def test_other_data_uris_are_removed_by_the_sanitiser():
    result = parse_bank(gift_with("data:text/html;base64,PHNjcmlwdD4="), "bank.gift")
    assert "data:" not in result.items[0].stem and result.assets == {}


def test_a_picture_too_large_for_a_spreadsheet_cell_is_refused_with_a_pointer_to_qti():
    large = b"\x89PNG\r\n\x1a\n" + os.urandom(30_000)
    name = image_asset_name(large, "besar.png")
    item = Item(stem=f'<img src="asset:{name}" alt="">', options=(Option("a", Decimal(1)), Option("b", Decimal(0))),
                source="bank.zip:3")
    assert f"asset:{name}" not in export_bank([item], {name: large}, "gift").decode()
    with pytest.raises(BadInput, match="bank.zip:3: stem is longer than .* export as QTI"):
        export_bank([item], {name: large}, "xlsx")


def test_an_export_of_an_item_whose_picture_the_bank_lacks_stops():
    item = Item(stem='<img src="asset:0123456789abcdef0123456789abcdef.png" alt="">',
                options=(Option("a", Decimal(1)), Option("b", Decimal(0))))
    for fmt in ("gift", "xlsx", "qti"):
        with pytest.raises(ExamError) as stopped:
            export_bank([item], {}, fmt)
        assert stopped.value.code == "missing_asset"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), (200, 20, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def csv_with(src: str) -> bytes:
    return ('judul,soal,pilihan_a,pilihan_b,kunci,format\n'
            f'Gambar,"<p>Perhatikan gambar <img src=""{src}"" alt=""peta""></p>",Benar,Salah,A,html\n').encode()


def moodle_with(src: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz><question type="multichoice"><name><text>Gambar</text>'
            f'</name><questiontext format="html"><text><![CDATA[<p><img src="{src}" alt="peta"></p>]]></text>'
            '</questiontext><single>true</single><answer fraction="100" format="html"><text>Benar</text></answer>'
            '<answer fraction="0" format="html"><text>Salah</text></answer></question></quiz>').encode()


def qti_with(src: str) -> bytes:
    return ('<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="i1" title="Gambar" '
            'adaptive="false" timeDependent="false"><responseDeclaration identifier="RESPONSE" '
            'cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse>'
            f'</responseDeclaration><itemBody><p><img src="{src}" alt="peta"/></p>'
            '<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">'
            '<simpleChoice identifier="A">Benar</simpleChoice><simpleChoice identifier="B">Salah</simpleChoice>'
            '</choiceInteraction></itemBody><responseProcessing template="http://www.imsglobal.org/question/'
            'qti_v2p2/rptemplates/match_correct"/></assessmentItem>').encode()


TEXT_FORMATS = [(gift_with, "bank.gift"), (csv_with, "bank.csv"), (moodle_with, "bank.xml"), (qti_with, "item.xml")]


@pytest.mark.parametrize("bank, filename", TEXT_FORMATS)
def test_every_format_stores_a_data_picture_once_under_the_name_it_carries(bank, filename):
    data = jpeg()
    name = image_asset_name(data, "foto.jpeg")
    result = parse_bank(bank(f"data:image/jpeg;name={name};base64," + base64.b64encode(data).decode()), filename)
    assert name.endswith(".jpeg") and result.assets == {name: data}
    assert f'<img src="asset:{name}" alt="peta"' in result.items[0].stem


@pytest.mark.parametrize("bank, filename", TEXT_FORMATS)
def test_every_format_stores_an_svg_data_picture_cleaned(bank, filename):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="4"/></svg>'
    result = parse_bank(bank("data:image/svg+xml;base64," + base64.b64encode(svg).decode()), filename)
    ((name, stored),) = result.assets.items()
    assert name.endswith(".svg") and b"alert" not in stored and b"<rect" in stored
    assert f'<img src="asset:{name}" alt="peta"' in result.items[0].stem


@pytest.mark.parametrize("fmt", ["gift", "xlsx"])
def test_an_svg_picture_travels_through_a_text_export_under_its_name(fmt):
    name, svg = stored_image(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="2"/></svg>', "kotak.svg")
    item = Item(stem=f'<p>Kotak <img src="asset:{name}" alt="kotak"></p>',
                options=(Option("a", Decimal(1)), Option("b", Decimal(0))))
    exported = export_bank([item], {name: svg}, fmt)
    again = parse_bank(exported, f"bank.{fmt}", fmt)
    assert again.skipped == [] and again.assets == {name: svg} and again.items[0].stem == item.stem
