"""A bank exported as a QTI 2.2 package imports back as the same items and images."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_server.banks.export import export_bank, exporters
from exam_server.banks.formats.qti import QtiFormat
from exam_server.banks.safety import image_asset_name
from exam_server.banks.text import safe_html, sanitize, to_plain
from exam_server.domain.items import Item, Option
from exam_server.errors import ExamError
from tests.conftest import FIXTURES

QTI = QtiFormat()
FIXTURE_PACKAGE = FIXTURES / "qti21" / "qtiworks-packages" / "WebDeveloperTest1.zip"


def png(seed: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + hashlib.sha256(str(seed).encode()).digest()


IMAGES = {image_asset_name(png(n), f"gambar{n}.png"): png(n) for n in range(3)}


def round_trip(items: list[Item], assets: dict[str, bytes]) -> tuple[list[Item], dict[str, bytes]]:
    result = QTI.parse(export_bank(items, assets, "qti"), "bank.zip")
    assert result.skipped == [] and result.warnings == []
    return [dataclasses.replace(item, source="") for item in result.items], result.assets


def without_source(items: list[Item]) -> list[Item]:
    return [dataclasses.replace(item, source="") for item in items]


# ------------------------------------------------------------ by example


def test_the_exporter_is_registered_as_a_zip():
    exporter = exporters()["qti"]
    assert exporter.extension == ".zip" and exporter.media_type == "application/zip"


def test_a_small_bank_with_an_image_comes_back_the_same():
    (name,) = list(IMAGES)[:1]
    items = [
        Item(stem=f'<p>Lambang sila ke-3? <img src="asset:{name}" alt="lambang"></p>',
             options=(Option("Pohon beringin", Decimal(1), feedback="<b>Benar</b>"),
                      Option("Rantai", Decimal("-0.25")), Option("Semua salah", Decimal(0), fixed=True)),
             category="TWK", title="Pancasila 3", shuffle_options=False, general_feedback="<p>Lihat UUD</p>",
             difficulty="easy", tags=("pancasila", "lambang negara")),
        Item(stem="Indonesia merdeka tahun 1945.", options=(Option("True", Decimal(1)), Option("False", Decimal(0))),
             category="TWK", kind="truefalse", shuffle_options=False),
        Item(stem="<p>Sikap terbaik?</p>", options=(Option("a", Decimal(1)), Option("b", Decimal("0.8")),
                                                   Option("c", Decimal("0.6"))), category="TKP"),
    ]
    back, assets = round_trip(items, {**IMAGES})
    assert back == items
    assert assets == {name: IMAGES[name]}


def test_the_package_holds_a_manifest_a_test_one_file_per_item_and_the_images():
    (name,) = list(IMAGES)[:1]
    item = Item(stem=f'<img src="asset:{name}" alt="">', options=(Option("a", Decimal(1)), Option("b", Decimal(0))))
    names = zipfile.ZipFile(io.BytesIO(export_bank([item, item], IMAGES, "qti"))).namelist()
    assert sorted(names) == sorted(["imsmanifest.xml", "assessment.xml", "items/item-0001.xml",
                                    "items/item-0002.xml", f"images/{name}"])


def test_items_imported_from_a_real_package_survive_export_and_import():
    first = QTI.parse(FIXTURE_PACKAGE.read_bytes(), "WebDeveloperTest1.zip")
    back, assets = round_trip(first.items, first.assets)
    assert back == without_source(first.items) and assets == first.assets


def test_an_image_name_that_would_leave_the_images_folder_stops_the_export():
    item = Item(stem='<img src="asset:../../evil.png" alt="">', options=(Option("a", Decimal(1)),
                                                                       Option("b", Decimal(0))))
    with pytest.raises(ExamError, match="invalid name"):
        export_bank([item], {"../../evil.png": b"x"}, "qti")


def test_a_missing_image_stops_the_export():
    item = Item(stem='<img src="asset:0123.png" alt="">', options=(Option("a", Decimal(1)), Option("b", Decimal(0))))
    with pytest.raises(ExamError, match="0123.png"):
        export_bank([item], {}, "qti")


# ------------------------------------------------------------ generated

WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
                min_size=1, max_size=12)
NAMES = WORDS.map(lambda text: " ".join(text.split())).filter(bool)


@st.composite
def fragments(draw) -> str:
    """Safe HTML as an importer stores it: text, markup, entities and bank images."""
    pieces = draw(st.lists(st.one_of(
        WORDS.map(lambda text: safe_html(text, "plain")),
        WORDS.map(lambda text: f"<b>{safe_html(text, 'plain')}</b>"),
        WORDS.map(lambda text: f"<p><i>{safe_html(text, 'plain')}</i> &amp; &lt;x&gt;&nbsp;</p>"),
        st.just("<br>"), st.just("<sub>2</sub>"), st.just("<math><mi>x</mi><mo>=</mo><mn>1</mn></math>"),
        st.sampled_from(list(IMAGES)).map(lambda name: f'<img src="asset:{name}" alt="gambar">'),
    ), min_size=1, max_size=5))
    html = sanitize("".join(pieces))
    visible = to_plain(html) or "<img" in html or "<math" in html
    return html if visible else sanitize(html + "soal")


FRAGMENT = fragments()
MAYBE_FRAGMENT = st.one_of(st.just(""), FRAGMENT)
MAYBE_NAME = st.one_of(st.just(""), NAMES)
WEIGHTS = st.sampled_from([Decimal(0), Decimal(0), Decimal("0.5"), Decimal("0.3333333"), Decimal("-0.5"),
                           Decimal("-1"), Decimal("0.25"), Decimal(1)])


@st.composite
def items(draw) -> Item:
    count = draw(st.integers(2, 5))
    weights = draw(st.lists(WEIGHTS, min_size=count, max_size=count))
    weights[draw(st.integers(0, count - 1))] = Decimal(1)
    options = tuple(Option(text=draw(FRAGMENT), weight=weight, fixed=draw(st.booleans()),
                           feedback=draw(MAYBE_FRAGMENT))
                    for weight in weights)
    return Item(
        stem=draw(FRAGMENT), options=options,
        category=draw(st.one_of(MAYBE_NAME, st.sampled_from(["TWK", "TIU", "TKP"]))),
        title=draw(MAYBE_NAME), kind=draw(st.sampled_from(["multichoice", "truefalse"])),
        shuffle_options=draw(st.booleans()), general_feedback=draw(MAYBE_FRAGMENT),
        difficulty=draw(MAYBE_NAME), tags=tuple(dict.fromkeys(draw(st.lists(NAMES, max_size=3)))),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=st.lists(items(), min_size=1, max_size=4))
def test_any_bank_comes_back_the_same(bank):
    back, assets = round_trip(bank, IMAGES)
    assert back == without_source(bank)
    shown = {name for name in IMAGES if any(f"asset:{name}" in repr(item) for item in bank)}
    assert assets == {name: IMAGES[name] for name in shown}
