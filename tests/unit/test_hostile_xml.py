"""Hostile and broken XML and zip files are refused with a BankFormatError that names the problem.

Every case goes through both XML readers (``qti`` and ``moodlexml``). Times
are recorded in the test output (``-s``) but never asserted: a slow machine
must not fail the suite, a hang would.
"""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_server.banks.base import BankFormatError, ParseResult
from exam_server.banks.formats.moodlexml import MoodleXmlFormat
from exam_server.banks.formats.qti import QtiFormat
from exam_server.banks.safety import MAX_ZIP_MEMBERS
from tests.conftest import FIXTURES, HANDMADE, SHARED_FIXTURES

HOSTILE = Path(__file__).resolve().parent / "hostile" / "xml"
READERS = {"qti": QtiFormat(), "moodlexml": MoodleXmlFormat()}
NOT_XML = "not well-formed XML"
ZIP = "this is a zip file, not a Moodle XML file"

# file -> words the refusal must hold, from the qti reader and from the moodlexml reader
CORPUS = {
    "billion_laughs.xml": ("document type declaration", "document type declaration"),
    "quadratic_blowup.xml": ("document type declaration", "document type declaration"),
    "external_entity.xml": ("document type declaration", "document type declaration"),
    "external_dtd.xml": ("document type declaration", "document type declaration"),
    "parameter_entity.xml": ("document type declaration", "document type declaration"),
    "entities_in_package.zip": ("items/a.xml:2: a document type declaration", ZIP),
    "zip_slip.zip": ("zip slip", ZIP),
    "absolute_path.zip": ("absolute member path", ZIP),
    "backslash_path.zip": ("backslash", ZIP),
    "drive_letter.zip": ("drive letter", ZIP),
    "encrypted_member.zip": ("encrypted", ZIP),
    "truncated.zip": ("not a readable zip", ZIP),
    "garbage.zip": ("not a readable zip", NOT_XML),
    "garbage.xml": (NOT_XML, NOT_XML),
}


def refused(reader: str, data: bytes, name: str) -> str:
    started = time.perf_counter()
    with pytest.raises(BankFormatError) as caught:
        READERS[reader].parse(data, name)
    print(f"{reader} refused {name} in {time.perf_counter() - started:.3f}s")
    return str(caught.value)


# Packages that import, with what was hostile in them taken out.
CLEANED = ("svg_script.zip", "svg_named_png.zip")


def test_the_corpus_is_complete():
    assert sorted([*CORPUS, *CLEANED]) == sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".xml", ".zip"))


@pytest.mark.parametrize("name", CLEANED)
def test_an_svg_carrying_a_script_is_stored_without_it(name):
    result = READERS["qti"].parse((HOSTILE / name).read_bytes(), name)
    (item,) = result.items
    (asset,) = result.assets
    assert asset.endswith(".svg") and f'src="asset:{asset}"' in item.stem
    assert result.assets[asset] == (b'<svg xmlns="http://www.w3.org/2000/svg" '
                                    b'xmlns:xlink="http://www.w3.org/1999/xlink"><circle r="5" /></svg>')
    assert ZIP in refused("moodlexml", (HOSTILE / name).read_bytes(), name)


@pytest.mark.parametrize("reader", ["qti", "moodlexml"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_hostile_file_is_refused_naming_the_problem(reader, name):
    words = CORPUS[name][0 if reader == "qti" else 1]
    message = refused(reader, (HOSTILE / name).read_bytes(), name)
    assert words in message and message.startswith(f"{name} was refused")


BOMB_MANIFEST = (b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><resources>'
                 b'<resource identifier="i" type="imsqti_item_xmlv2p2" href="items/bomb.xml"/></resources></manifest>')


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> bytes:
    """A package whose one item is 300 MB of zeros (a few hundred KB compressed)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", BOMB_MANIFEST)
        with archive.open("items/bomb.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(chunk)
    return path.read_bytes()


def test_a_zip_bomb_is_refused_before_it_is_expanded(zip_bomb):
    message = refused("qti", zip_bomb, "bomb.zip")
    assert "zip bomb" in message and "items/bomb.xml" in message


def claim_size(data: bytes, member: str, size: int) -> bytes:
    """Make the central directory say that ``member`` expands to ``size`` bytes."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at >= 0:
        length = int.from_bytes(patched[at + 28:at + 30], "little")
        if patched[at + 46:at + 46 + length] == member.encode():
            assert int.from_bytes(patched[at + 24:at + 28], "little") != 0xFFFFFFFF
            patched[at + 24:at + 28] = size.to_bytes(4, "little")
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def test_a_bomb_whose_header_lies_about_its_size_is_cut_off(zip_bomb):
    # The header claims 1,000 bytes: reading stops there and the data check
    # fails, instead of the header being trusted or the rest expanded.
    message = refused("qti", claim_size(zip_bomb, "items/bomb.xml", 1000), "liar.zip")
    assert "liar.zip!items/bomb.xml: the member cannot be read" in message


def test_too_many_members_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"f/{number}.xml", b"")
    assert "2001 members" in refused("qti", buffer.getvalue(), "many.zip")


@pytest.mark.parametrize("reader, root", [("moodlexml", b"quiz"), ("qti", b"assessmentItem")])
def test_xml_nested_100000_levels_deep_is_refused(reader, root):
    data = b"<" + root + b">" + b"<div>" * 100_000 + b"</div>" * 100_000 + b"</" + root + b">"
    assert "nested more than" in refused(reader, data, "deep.xml")


# ------------------------------------------------------------------ fuzz


def _seed_files() -> list[bytes]:
    seeds = [p.read_bytes() for p in sorted(HOSTILE.iterdir()) if p.suffix in (".xml", ".zip")]
    folders = [FIXTURES / "moodlexml/moodle", FIXTURES / "qti21/qtiworks-packages", FIXTURES / "qti21/onyx-sachsen-test",
               HANDMADE / "qti21", HANDMADE / "qti30/package/items"]
    # IMS/1EdTech examples are not shipped (see tests/fixtures/third_party/README.md): used where present.
    folders += [SHARED_FIXTURES / "qti21/ims-examples", SHARED_FIXTURES / "qti30/citolab-examples/items"]
    for folder in (f for f in folders if f.is_dir()):
        seeds += [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.stat().st_size < 20_000]
    return seeds


SEEDS = _seed_files()


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + cut:]
    return data


def _only_results_or_refusals(data: bytes, name: str) -> None:
    for reader in READERS.values():
        try:
            result = reader.parse(data, name)
        except BankFormatError:
            continue
        assert isinstance(result, ParseResult)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(["bank.xml", "bank.zip", "bank"]))
def test_random_bytes_give_a_result_or_a_refusal(data, name):
    _only_results_or_refusals(data, name)


@FUZZ
@given(seed=st.sampled_from(SEEDS),
       edits=st.lists(st.tuples(st.integers(0, 60_000), st.integers(0, 40), st.binary(max_size=12)),
                      min_size=1, max_size=6),
       name=st.sampled_from(["bank.xml", "bank.zip"]))
def test_mutated_real_files_give_a_result_or_a_refusal(seed, edits, name):
    _only_results_or_refusals(_mutate(seed, edits), name)
