"""Untrusted XML, zip packages and images are read safely or refused with a reason."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest

from exam_server.banks.base import BankFormatError
from exam_server.banks.safety import (
    MAX_ZIP_MEMBERS,
    ImageRefused,
    data_url_bytes,
    image_asset_name,
    open_zip,
    parse_xml,
    resolve_href,
    sniff_image,
)
from exam_server.banks.svg import stored_image
from tests.conftest import HANDMADE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)  # a ZipInfo keeps the name exactly as given
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag bit in every local and central header."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(signature)
        while at >= 0:
            patched[at + offset] |= 0x1
            at = patched.find(signature, at + 4)
    return bytes(patched)


def refusal(call, *args) -> str:
    with pytest.raises(BankFormatError) as caught:
        call(*args)
    return str(caught.value)


# ------------------------------------------------------------------ XML


def test_well_formed_xml_is_parsed_with_line_numbers():
    root = parse_xml(b'<?xml version="1.0"?>\n<quiz>\n  <question/>\n</quiz>', "bank.xml")
    assert root.tag == "quiz" and root.line == 2 and root[0].line == 3


def test_a_utf8_byte_order_mark_is_accepted():
    assert parse_xml(b"\xef\xbb\xbf<quiz/>", "bank.xml").tag == "quiz"


def test_malformed_xml_is_refused_with_file_line_and_column():
    message = refusal(parse_xml, b"<quiz>\n<question></quiz>", "bank.xml")
    assert "bank.xml:2:" in message and "mismatched tag" in message


def test_a_dtd_is_refused():
    message = refusal(parse_xml, b'<!DOCTYPE quiz [<!ELEMENT quiz ANY>]><quiz/>', "bank.xml")
    assert "document type declaration" in message


def test_an_unknown_encoding_is_refused():
    message = refusal(parse_xml, b'<?xml version="1.0" encoding="klingon"?><quiz/>', "bank.xml")
    assert "klingon" in message


def test_deep_nesting_is_refused_before_it_costs_anything():
    message = refusal(parse_xml, b"<a>" * 1000 + b"</a>" * 1000, "deep.xml")
    assert "nested more than" in message


def test_the_error_names_the_uploaded_file_not_the_member():
    with pytest.raises(BankFormatError) as caught:
        parse_xml(b"<a>", "pkg.zip!items/a.xml")
    assert caught.value.problems[0].where.startswith("pkg.zip!items/a.xml:1:")
    assert str(caught.value).startswith("pkg.zip was refused")


# ------------------------------------------------------------------ zip


def test_a_good_zip_is_read_by_normalised_member_name():
    package = open_zip(make_zip({"items/a.xml": b"<a/>", "img/sign.png": PNG}), "pkg.zip")
    assert sorted(package.names()) == ["img/sign.png", "items/a.xml"]
    assert package.read("img/sign.png") == PNG
    assert package.where("items/a.xml") == "pkg.zip!items/a.xml"


@pytest.mark.parametrize("name, reason", [
    ("../../evil.xml", "zip slip"),
    ("/etc/passwd", "absolute"),
    ("C:/evil.xml", "drive letter"),
    ("..\\..\\evil.xml", "backslash"),
])
def test_member_names_that_escape_the_package_are_refused(name, reason):
    assert reason in refusal(open_zip, make_zip({name: b"x"}), "pkg.zip")


def test_every_bad_member_is_listed_in_one_error():
    with pytest.raises(BankFormatError) as caught:
        open_zip(make_zip({"../a": b"x", "/b": b"y", "ok.xml": b"z"}), "pkg.zip")
    assert len(caught.value.problems) == 2


def test_an_encrypted_member_is_refused():
    assert "encrypted" in refusal(open_zip, mark_encrypted(make_zip({"a.xml": b"<a/>"})), "pkg.zip")


def test_too_many_members_are_refused():
    data = make_zip({f"f{i}.txt": b"" for i in range(MAX_ZIP_MEMBERS + 1)})
    assert "more than the 2000 allowed" in refusal(open_zip, data, "pkg.zip")


def test_a_member_that_expands_too_much_is_refused():
    data = make_zip({"bomb.xml": b"\x00" * (3 * 1024 * 1024)})
    assert "zip bomb" in refusal(open_zip, data, "pkg.zip")


def test_a_truncated_zip_is_refused():
    data = make_zip({"a.xml": b"<a/>" * 100})
    assert "not a readable zip" in refusal(open_zip, data[: len(data) // 2], "pkg.zip")


@pytest.mark.parametrize("base, href, expected", [
    ("items/choice.xml", "../img/sign.png", "img/sign.png"),
    ("items/choice.xml", "images/sign%20one.png", "items/images/sign one.png"),
    ("items/choice.xml", "./a/../b.png#frag", "items/b.png"),
    ("imsmanifest.xml", "items/a.xml", "items/a.xml"),
    ("items/choice.xml", "../../etc/passwd", None),
    ("items/choice.xml", "/etc/passwd", None),
    ("items/choice.xml", "C:/evil.png", None),
    ("items/choice.xml", "..\\evil.png", None),
])
def test_hrefs_resolve_inside_the_package_or_not_at_all(base, href, expected):
    assert resolve_href(base, href) == expected


# --------------------------------------------------------------- images


@pytest.mark.parametrize("data, kind", [
    (PNG, "png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "jpg"),
    (b"GIF89a" + b"\x00" * 8, "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
    (b"MZ\x90\x00", None),
])
def test_images_are_told_by_their_magic_bytes(data, kind):
    assert sniff_image(data) == kind


def test_asset_names_are_content_addressed_with_a_lower_case_extension():
    name = image_asset_name(PNG, "Sign.PNG")
    assert len(name) == 36 and name.endswith(".png") and name == image_asset_name(PNG, "other.png")


def test_an_image_with_the_wrong_extension_is_named_for_what_it_is():
    assert image_asset_name(b"GIF89a\x00\x00", "directory.jpg").endswith(".gif")
    assert image_asset_name(b"\xff\xd8\xff\x00", "photo.JPEG").endswith(".jpeg")


def test_svg_is_never_named_uncleaned_and_is_stored_cleaned():
    with pytest.raises(ImageRefused, match="SVG"):
        image_asset_name(b"<svg><script>alert(1)</script></svg>", "evil.svg")
    hostile = (HANDMADE / "hostile.svg").read_bytes()
    name, cleaned = stored_image(hostile, "segitiga.svg")
    assert name.endswith(".svg") and name[:32] == hashlib.sha256(cleaned).hexdigest()[:32]
    for hostile_part in (b"script", b"onload", b"onclick", b"javascript:", b"foreignObject", b"https:", b"@import"):
        assert hostile_part not in cleaned
    assert cleaned.startswith(b'<svg width="120" height="80" viewBox="0 0 120 80" xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize("data, reason", [
    (b"<svg><circle r='1'/></svg>", "the root element must be <svg> in the SVG namespace"),
    (b"<!DOCTYPE svg [<!ENTITY x 'y'>]><svg xmlns='http://www.w3.org/2000/svg'/>", "document type declaration"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", "not a readable SVG image"),
])
def test_an_svg_that_cannot_be_cleaned_is_refused_saying_why(data, reason):
    with pytest.raises(ImageRefused, match=re.escape(reason)):
        stored_image(data, "x.svg")


def test_data_urls_are_decoded():
    assert data_url_bytes("data:image/png;base64,iVBORw0KGgo=") == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        data_url_bytes("data:image/png;base64,***")


def test_nested_svg_uses_lose_their_links_so_they_cannot_multiply():
    layers = ['<g id="l0"><rect width="1" height="1"/></g>'] + [
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 10)]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><defs>' + "".join(layers) + '</defs><use href="#l9"/></svg>')
    _, cleaned = stored_image(svg.encode(), "bom.svg")
    assert cleaned.count(b'href="#l0"') == 10 and b'href="#l1"' not in cleaned and b'href="#l9"' not in cleaned


def test_an_svg_of_200000_scripts_is_cleaned_in_linear_time():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<script>x</script>\n" * 200_000 + b"<text>a<set/>b</text></svg>"
    _, cleaned = stored_image(svg, "banyak.svg")
    assert cleaned.endswith(b"<text>ab</text></svg>") and b"script" not in cleaned
