"""QTI 2.1, 2.2 and 3.0 items and packages: single-answer choice comes in, the rest is skipped or refused."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from exam_server.banks.base import BankFormatError, formats
from exam_server.banks.formats.qti import QtiFormat
from tests.conftest import FIXTURES, HANDMADE, SHARED_FIXTURES, shared_only

QTI = QtiFormat()
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI30 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def fixture_path(relative: str) -> Path:
    """A third-party file shipped with the tests, a hand-made one, or an IMS example from the shared folder."""
    for root in (FIXTURES, HANDMADE, SHARED_FIXTURES):
        if (root / relative).exists():
            return root / relative
    raise FileNotFoundError(relative)


def fixture(relative: str) -> bytes:
    return fixture_path(relative).read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_folder(relative: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A package made of a fixture folder's files, as the folder stands for one."""
    root = fixture_path(relative)
    members = {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
               if path.is_file()}
    return zip_of({**members, **(extra or {})})


def manifest(*resources: tuple[str, str]) -> bytes:
    listed = "".join(f'<resource identifier="r{i}" type="{kind}" href="{href}"><file href="{href}"/></resource>'
                     for i, (kind, href) in enumerate(resources))
    return (f'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">'
            f"<resources>{listed}</resources></manifest>").encode()


def item(body: str, *, declaration: str = "", processing: str = "match_correct", ns: str = QTI22,
         attributes: str = "") -> bytes:
    if not declaration:
        declaration = ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
                       "<correctResponse><value>A</value></correctResponse></responseDeclaration>")
    rp = f'<responseProcessing template="http://www.imsglobal.org/question/qti_v2p2/rptemplates/{processing}"/>' \
        if processing else ""
    return (f'<assessmentItem xmlns="{ns}" identifier="i1" title="Soal" adaptive="false" '
            f'timeDependent="false" {attributes}>{declaration}<itemBody>{body}</itemBody>{rp}</assessmentItem>').encode()


CHOICES = ('<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">'
           "<prompt>Pilih satu</prompt><simpleChoice identifier=\"A\">Satu</simpleChoice>"
           '<simpleChoice identifier="B">Dua</simpleChoice><simpleChoice identifier="C" fixed="true">'
           "Semua salah</simpleChoice></choiceInteraction>")


def refusal(data: bytes, name: str) -> BankFormatError:
    with pytest.raises(BankFormatError) as caught:
        QTI.parse(data, name)
    return caught.value


# ---------------------------------------------------------------- sniff


def test_the_format_is_registered_and_recognises_items_tests_and_packages():
    assert isinstance(formats()["qti"], QtiFormat)
    assert QTI.sniff(fixture("qti21/onyx-sachsen-test/Choicesingle_853928446.xml"), "choice.xml") >= 90
    assert QTI.sniff(fixture("qti30/package/items/choice.xml"), "choice.xml") >= 90
    assert QTI.sniff(fixture("qti21/qtiworks-packages/WebDeveloperTest1.zip"), "t.zip") >= 90
    assert QTI.sniff(zip_of({"[Content_Types].xml": b"<Types/>"}), "bank.xlsx") == 0
    assert QTI.sniff(b"<quiz><question/></quiz>", "bank.xml") == 0


# ----------------------------------------------------- single item files

# IMS/1EdTech example items: not shipped (see tests/fixtures/third_party/README.md), read where the shared folder is.
IMS_SKIPS = {
    "qti21/ims-examples/adaptive.xml": "adaptive item",
    "qti21/ims-examples/choice_multiple.xml": "choiceInteraction with multiple cardinality",
    "qti21/ims-examples/choice_multiple_chocolade.xml": "choiceInteraction with multiple cardinality",
    "qti21/ims-examples/extended_text.xml": "extendedTextInteraction is not delivered",
    "qti21/ims-examples/gap_match.xml": "gapMatchInteraction is not delivered",
    "qti21/ims-examples/hotspot.xml": "hotspotInteraction is not delivered",
    "qti21/ims-examples/inline_choice.xml": "inlineChoiceInteraction is not delivered",
    "qti21/ims-examples/match.xml": "matchInteraction is not delivered",
    "qti21/ims-examples/order.xml": "orderInteraction is not delivered",
    "qti21/ims-examples/template.xml": "template item",
    "qti21/ims-examples/text_entry.xml": "textEntryInteraction is not delivered",
    "qti21/ims-examples/choice.xml": "images/sign.png is not in this file",
    "qti21/ims-examples/choice_fixed.xml": "images/sign.png is not in this file",
    "qti22/ims-examples/choice_aria.xml": "images/sign.png is not in this file",
    "qti22/ims-examples/choice_v2p2p4.xml": "images/sign.png is not in this file",
    "qti22/ims-examples/choice_multiple_rtl.xml": "multiple cardinality",
    "qti22/ims-examples/essay_v2p2p4.xml": "extendedTextInteraction is not delivered",
    "qti22/ims-examples/uploadinteraction-with-multiple-mime-types.xml": "uploadInteraction is not delivered",
    "qti30/citolab-conformance-T4-T7/items/choice-multiple-cardinality.xml": "qti-choice-interaction with multiple cardinality",
    "qti30/citolab-conformance-T4-T7/items/text-entry.xml": "qti-text-entry-interaction is not delivered",
    "qti30/citolab-conformance-T4-T7/items/extended-text.xml": "qti-extended-text-interaction is not delivered",
    "qti30/citolab-examples/items/choice.xml": "../img/sign.png is not in this file",
    "qti30/citolab-examples/items/choice_multiple.xml": "multiple cardinality",
    "qti30/citolab-examples/items/extended_text.xml": "qti-extended-text-interaction",
    "qti30/citolab-examples/items/gap_match.xml": "qti-gap-match-interaction",
    "qti30/citolab-examples/items/graphic_associate.xml": "qti-graphic-associate-interaction",
    "qti30/citolab-examples/items/graphic_gap_match.xml": "qti-graphic-gap-match-interaction",
    "qti30/citolab-examples/items/hotspot.xml": "qti-hotspot-interaction",
    "qti30/citolab-examples/items/inline_choice.xml": "qti-inline-choice-interaction",
    "qti30/citolab-examples/items/match.xml": "qti-match-interaction",
    "qti30/citolab-examples/items/order.xml": "qti-order-interaction",
    "qti30/citolab-examples/items/position_object.xml": "qti-position-object-interaction",
    "qti30/citolab-examples/items/select_point.xml": "qti-select-point-interaction",
    "qti30/citolab-examples/items/slider.xml": "qti-slider-interaction",
    "qti30/citolab-examples/items/text_entry.xml": "qti-text-entry-interaction",
    "qti30/citolab-examples/items/info_start.xml": "informational item",
    "qti30/citolab-examples/items/info_end.xml": "informational item",
}


@pytest.mark.parametrize("relative, reason", [
    ("qti21/adaptive.xml", "adaptive item"),
    ("qti21/extended_text.xml", "extendedTextInteraction is not delivered"),
    ("qti21/gap_match.xml", "gapMatchInteraction is not delivered"),
    ("qti21/inline_choice.xml", "inlineChoiceInteraction is not delivered"),
    ("qti21/order.xml", "orderInteraction is not delivered"),
    ("qti21/template.xml", "template item"),
    ("qti21/choice.xml", "images/kotak.png is not in this file"),
    ("qti21/choice_fixed.xml", "images/kotak.png is not in this file"),
    ("qti21/onyx-sachsen-test/Choicemultiple_2014410822.xml", "multiple cardinality"),
    ("qti21/onyx-sachsen-test/Choicemultiple_871212949.xml", "multiple cardinality"),
    ("qti21/onyx-sachsen-test/Choicesingle_853928446.xml", "media/3d92a0b7b7be4480a582f62ce823d908.jpg"),
    ("qti21/onyx-sachsen-test/Hotspot_278940407.xml", "hotspotInteraction"),
    ("qti21/onyx-sachsen-test/Hottext_801974120.xml", "hottextInteraction"),
    ("qti21/onyx-sachsen-test/Matchmultiple_1038910213.xml", "matchInteraction"),
    ("qti21/onyx-sachsen-test/Matchsingle_143114773.xml", "matchInteraction"),
    ("qti21/onyx-sachsen-test/Order_913967682.xml", "orderInteraction"),
    ("qti21/onyx-sachsen-test/TextEntry_883368511.xml", "textEntryInteraction"),
    ("qti21/onyx-sachsen-test/TextEntrynumeric_2040297025.xml", "2 interactions (textEntryInteraction)"),
    ("qti21/onyx-sachsen-test/TextEntrynumeric_770468849.xml", "textEntryInteraction"),
    ("qti21/onyx-sachsen-test/TextEntrysubset_806481421.xml", "3 interactions (textEntryInteraction)"),
    ("qti22/choice_aria.xml", "images/kotak.png is not in this file"),
    ("qti22/essay.xml", "extendedTextInteraction is not delivered"),
    ("qti22/upload.xml", "uploadInteraction is not delivered"),
    ("qti30/package/items/choice.xml", "../img/kotak.png is not in this file"),
    ("qti30/package/items/choice_multiple.xml", "multiple cardinality"),
    ("qti30/package/items/extended_text.xml", "qti-extended-text-interaction is not delivered"),
    ("qti30/package/items/order.xml", "qti-order-interaction is not delivered"),
    ("qti30/package/items/text_entry.xml", "qti-text-entry-interaction is not delivered"),
    ("qti30/package/items/info_start.xml", "informational item"),
    *[(relative, reason) for relative, reason in IMS_SKIPS.items() if shared_only(relative)],
])
def test_single_items_we_do_not_deliver_are_skipped_with_the_reason(relative, reason):
    result = QTI.parse(fixture(relative), relative.rsplit("/", 1)[-1])
    assert result.items == [] and len(result.skipped) == 1
    assert reason in result.skipped[0].reason


def test_a_true_false_choice_with_custom_match_correct_processing_is_imported():
    result = QTI.parse(fixture("qti21/modal_feedback.xml"), "modal_feedback.xml")
    (choice,) = result.items
    assert [(o.text, o.weight, o.fixed) for o in choice.options] == [("Benar", 1, True), ("Salah", 0, True)]
    assert choice.stem.startswith("Proklamasi kemerdekaan Indonesia") and choice.shuffle_options is False
    assert choice.title == "Umpan balik modal"
    assert choice.general_feedback == "<p>benar</p><p>salah</p>"
    assert choice.source == "modal_feedback.xml:2 (/assessmentItem)"


def test_onyx_processing_that_adds_maxscore_on_a_match_is_read_as_match_correct():
    (choice,) = QTI.parse(fixture("qti21/onyx-sachsen-test/Choicetruefalse_176040516.xml"), "tf.xml").items
    assert [(o.text, o.weight) for o in choice.options] == [("Richtig", 1), ("Falsch", 0)]
    assert "Deutschen Demokratischen Republik" in choice.stem


def test_a_qti3_item_without_max_choices_and_an_https_template_is_imported():
    (choice,) = QTI.parse(fixture("qti30/package/items/math.xml"), "math.xml").items
    assert [(o.text, o.weight) for o in choice.options] == [("9", 1), ("6", 0), ("8", 0), ("3", 0)]
    assert choice.source.endswith("(/qti-assessment-item)")
    for relative in shared_only("qti30/citolab-conformance-T4-T7/items/choice-single-cardinality.xml"):
        (choice,) = QTI.parse(fixture(relative), "choice-single-cardinality.xml").items
        assert [(o.text, o.weight) for o in choice.options] == [("Correct", 1), ("Incorrect", 0)]
        assert "<p>candidate rubric block</p>" in choice.stem and "<h2>T1 - Test Entry - Item 1</h2>" in choice.stem


def test_mathml_in_a_qti3_prompt_is_kept():
    (choice,) = QTI.parse(fixture("qti30/package/items/math.xml"), "math.xml").items
    assert choice.stem == "Berapakah <math><msup><mi>x</mi><mn>2</mn></msup></math> untuk x = 3?"
    assert choice.shuffle_options is True
    for relative in shared_only("qti30/citolab-examples/items/math.xml"):
        (choice,) = QTI.parse(fixture(relative), "math.xml").items
        assert "<math>" in choice.stem and "<msup>" in choice.stem and [o.weight for o in choice.options] == [1, 0, 0, 0]


def test_the_hybrid_qti3_file_with_qti2_names_is_refused_clearly():
    error = refusal(fixture("qti30/hybrid.xml"), "hybrid.xml")
    first = error.problems[0]
    assert first.where == "hybrid.xml:2 (/assessmentItem)"
    assert "QTI 2 element name in a QTI 3 document" in first.reason and "mixes QTI 2 and QTI 3" in first.reason
    assert any("responseDeclaration" in p.reason for p in error.problems)


@pytest.mark.parametrize("relative", [
    "qti21/onyx-sachsen-test/interaction_mix_sachsen.xml", "qti22/interaction_mix_sachsen_2_2.xml",
    "qti30/package/assessment.xml", *shared_only("qti30/citolab-conformance-T4-T7/assessment.xml"),
])
def test_a_lone_test_file_is_refused_with_advice(relative):
    assert "import the content package (.zip)" in str(refusal(fixture(relative), "test.xml"))


def test_a_lone_manifest_is_refused_with_advice():
    error = refusal(fixture("qti30/package/imsmanifest.xml"), "imsmanifest.xml")
    assert "whole content package as a .zip" in str(error)


# -------------------------------------------------------------- packages


def test_the_qtiworks_package_imports_its_single_choice_items():
    result = QTI.parse(fixture("qti21/qtiworks-packages/WebDeveloperTest1.zip"), "WebDeveloperTest1.zip")
    assert len(result.items) == 6
    keys = ["".join("ABCD"[i] for i in it.correct_indexes) for it in result.items]
    assert keys == ["C", "A", "C", "D", "D", "A"]
    assert {it.category for it in result.items} == {"Electronics and Computer Science"}
    assert [s.line.split(":")[0] for s in result.skipped] == ["question5.xml", "question8.xml", "question9.xml"]
    assert result.items[1].options[0].text == '&lt;a href = "myimage.html"&gt;Link to my page&lt;/a&gt;'
    (name,) = result.assets  # directory.jpg holds a GIF, and is named for what it is
    assert name.endswith(".gif") and f'src="asset:{name}"' in result.items[3].stem
    assert result.items[0].source == "WebDeveloperTest1.zip!question1.xml:2 (/assessmentItem)"


@pytest.mark.parametrize("relative, words", [
    ("qti21/qtiworks-packages/BadManifest.zip", "imsmanifest.xml:3:1: not well-formed XML"),
    ("qti21/qtiworks-packages/BadMix.zip", "question1.xml is declared as a test (imsqti_test_xmlv2p1)"),
    ("qti21/qtiworks-packages/ExternalHref.zip", "'../outside.xml' points outside the package"),
    ("qti21/qtiworks-packages/MissingFile.zip", "'missing.xml' is not in the package"),
    ("qti21/qtiworks-packages/NotContentPackage.zip", "no imsmanifest.xml"),
    ("qti21/qtiworks-packages/ZipSlip.zip", "zip slip"),
    ("qti21/qtiworks-packages/WebDeveloperTest1-incomplete.zip", "not a readable zip"),
])
def test_broken_packages_are_refused_with_the_reason(relative, words):
    assert words in str(refusal(fixture(relative), relative.rsplit("/", 1)[-1]))


def test_a_qti3_package_listing_only_its_test_reaches_the_items_through_the_test():
    result = QTI.parse(zip_folder("qti30/package"), "package.zip")
    assert [it.title for it in result.items] == ["Kotak berwarna", "Pangkat"]
    assert [it.category for it in result.items] == ["Bagian A", "Bagian B"]
    assert len(result.skipped) == 5
    assert result.skipped[0].line == "items/info_start.xml:2 (/qti-assessment-item)"
    (name,) = result.assets
    assert result.assets[name] == fixture("qti30/package/img/kotak.png")
    assert f'<img src="asset:{name}" alt="KOTAK BIRU">' in result.items[0].stem
    assert "<p>Perhatikan gambar.</p>" in result.items[0].stem


IMS_PACKAGES = {  # folder: (title, category) of the items imported, number skipped
    "qti30/citolab-examples": ([("Unattended Luggage", "examples-a1"), ("Relativity", "examples-a2")], 15),
    "qti30/citolab-conformance-T4-T7": ([("T1 - Test Entry - Item 1", "Section 1")], 3),
}


def test_the_ims_qti3_example_packages_import_where_the_shared_folder_holds_them():
    for folder in filter(shared_only, IMS_PACKAGES):
        titles, skipped = IMS_PACKAGES[folder]
        result = QTI.parse(zip_folder(folder), "examples.zip")
        assert [(it.title, it.category) for it in result.items] == titles and len(result.skipped) == skipped


def test_qti21_items_packaged_with_their_image_import_and_keep_fixed_choices():
    picture = fixture("qti21/images/kotak.png")
    items = ["choice.xml", "choice_fixed.xml", "order.xml"]
    data = zip_of({
        "imsmanifest.xml": manifest(*(("imsqti_item_xmlv2p1", name) for name in items)),
        "images/kotak.png": picture,
        **{name: fixture(f"qti21/{name}") for name in items},
    })
    result = QTI.parse(data, "kotak.zip")
    plain, fixed = result.items
    assert plain.shuffle_options is False and fixed.shuffle_options is True
    assert [o.fixed for o in fixed.options] == [False, False, False, True]
    assert fixed.options[3].text == "Bukan salah satu di atas." and fixed.correct_indexes == (0,)
    assert list(result.assets.values()) == [picture]
    assert "orderInteraction" in result.skipped[0].reason


def test_a_qti22_package_with_aria_attributes_is_imported():
    data = zip_of({"imsmanifest.xml": manifest(("imsqti_item_xmlv2p2", "items/choice_aria.xml")),
                   "items/choice_aria.xml": fixture("qti22/choice_aria.xml"),
                   "items/images/kotak.png": fixture("qti22/images/kotak.png")})
    (choice,) = QTI.parse(data, "aria.zip").items
    assert choice.correct_indexes == (0,) and choice.shuffle_options is False
    assert "aria" not in choice.stem


def test_the_onyx_test_packaged_without_its_media_is_refused_naming_the_images():
    data = zip_folder("qti21/onyx-sachsen-test",
                      {"imsmanifest.xml": manifest(("imsqti_test_xmlv2p1", "interaction_mix_sachsen.xml"))})
    error = refusal(data, "onyx.zip")
    assert "media/3d92a0b7b7be4480a582f62ce823d908.jpg' is not in the package" in str(error)
    assert all("Choicesingle_853928446.xml" in p.where for p in error.problems)


# ------------------------------------------------------------ the rules


def test_map_response_weights_are_relative_to_the_best_mapped_value():
    declaration = ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
                   '<mapping defaultValue="0"><mapEntry mapKey="A" mappedValue="4"/>'
                   '<mapEntry mapKey="B" mappedValue="2"/><mapEntry mapKey="C" mappedValue="-1"/></mapping>'
                   "</responseDeclaration>")
    (choice,) = QTI.parse(item(CHOICES, declaration=declaration, processing="map_response"), "i.xml").items
    assert [o.weight for o in choice.options] == [1, Decimal("0.5"), Decimal("-0.25")]


def test_map_response_uses_the_default_value_and_the_bounds():
    declaration = ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
                   '<mapping defaultValue="1" lowerBound="-1" upperBound="2"><mapEntry mapKey="A" mappedValue="5"/>'
                   '<mapEntry mapKey="C" mappedValue="-3"/></mapping></responseDeclaration>')
    (choice,) = QTI.parse(item(CHOICES, declaration=declaration, processing="map_response"), "i.xml").items
    assert [o.weight for o in choice.options] == [1, Decimal("0.5"), Decimal("-0.5")]


def test_a_mapping_under_match_correct_is_not_used_and_a_warning_says_so():
    declaration = ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
                   "<correctResponse><value>B</value></correctResponse>"
                   '<mapping><mapEntry mapKey="A" mappedValue="1"/></mapping></responseDeclaration>')
    result = QTI.parse(item(CHOICES, declaration=declaration), "i.xml")
    assert [o.weight for o in result.items[0].options] == [0, 1, 0]
    assert "mapping is not used" in result.warnings[0]


def test_the_stem_is_the_body_with_the_prompt_where_the_interaction_was():
    body = "<p>Perhatikan teks berikut.</p>" + CHOICES + "<p>Catatan akhir</p>"
    (choice,) = QTI.parse(item(body), "i.xml").items
    assert choice.stem == "<p>Perhatikan teks berikut.</p><div>Pilih satu</div><p>Catatan akhir</p>"
    assert choice.shuffle_options is True and [o.fixed for o in choice.options] == [False, False, True]


def test_a_qti3_item_with_a_mapping_in_kebab_case_is_read():
    body = ('<qti-choice-interaction response-identifier="R" max-choices="1" shuffle="false">'
            '<qti-prompt>Pilih</qti-prompt><qti-simple-choice identifier="X">x</qti-simple-choice>'
            '<qti-simple-choice identifier="Y">y</qti-simple-choice></qti-choice-interaction>')
    data = (f'<qti-assessment-item xmlns="{QTI30}" identifier="q" title="Q">'
            '<qti-response-declaration identifier="R" cardinality="single" base-type="identifier">'
            '<qti-mapping default-value="0"><qti-map-entry map-key="X" mapped-value="1"/>'
            '<qti-map-entry map-key="Y" mapped-value="0.5"/></qti-mapping></qti-response-declaration>'
            f"<qti-item-body>{body}</qti-item-body>"
            '<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/'
            'map_response.xml"/></qti-assessment-item>').encode()
    (choice,) = QTI.parse(data, "q.xml").items
    assert [o.weight for o in choice.options] == [1, Decimal("0.5")] and choice.stem == "Pilih"


@pytest.mark.parametrize("declaration, processing, reason", [
    ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"/>',
     "match_correct", "no correct response"),
    ("", "", "no response processing"),
    ("", "map_response_point", "template map_response_point is not supported"),
])
def test_items_that_cannot_be_scored_are_skipped(declaration, processing, reason):
    result = QTI.parse(item(CHOICES, declaration=declaration, processing=processing), "i.xml")
    assert result.items == [] and reason in result.skipped[0].reason


def test_single_cardinality_with_more_than_one_choice_allowed_is_skipped():
    result = QTI.parse(item(CHOICES.replace('maxChoices="1"', 'maxChoices="2"')), "i.xml")
    assert "maxChoices=2" in result.skipped[0].reason


def test_a_true_false_class_on_the_interaction_makes_a_true_false_item():
    body = CHOICES.replace('maxChoices="1"', 'maxChoices="1" class="exam-truefalse"')
    assert QTI.parse(item(body), "i.xml").items[0].kind == "truefalse"


def test_every_problem_of_an_item_is_reported_at_once():
    body = CHOICES.replace('identifier="B"', 'identifier="A"')
    declaration = ('<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
                   "<correctResponse><value>Z</value></correctResponse></responseDeclaration>")
    error = refusal(item(body, declaration=declaration), "i.xml")
    assert len(error.problems) == 3
    assert "'Z' is not one of the choices" in str(error) and "used twice" in str(error)


def test_an_inline_data_image_in_a_single_file_becomes_an_asset():
    import base64
    body = f'<p><img src="data:image/png;base64,{base64.b64encode(PNG).decode()}" alt="x"/></p>' + CHOICES
    result = QTI.parse(item(body), "i.xml")
    assert list(result.assets.values()) == [PNG]


@pytest.mark.parametrize("body, reason", [
    ('<p><object type="audio/mpeg" data="halo.mp3">audio</object></p>',
     "an embedded object (<object>) cannot be delivered"),
    ('<p><audio src="halo.mp3" controls="controls"/></p>', "a sound (<audio>) cannot be delivered"),
    ('<p><video src="film.mp4"/></p>', "a video (<video>) cannot be delivered"),
    ('<p><math xmlns="http://www.w3.org/1998/Math/MathML"><mmultiscripts><mi>x</mi></mmultiscripts></math></p>',
     "the formula uses MathML <mmultiscripts>"),
    ('<p><svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg></p>',
     "a drawing written into the text (<svg>) cannot be delivered"),
])
def test_an_item_that_would_lose_a_sound_a_video_or_a_formula_is_skipped(body, reason):
    result = QTI.parse(item(body + CHOICES), "i.xml")
    assert result.items == [] and result.skipped[0].reason.startswith(reason)


def test_an_inline_svg_picture_is_stored_cleaned():
    import base64
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="4"/></svg>'
    body = f'<p><img src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" alt="x"/></p>' + CHOICES
    result = QTI.parse(item(body), "i.xml")
    (name,) = result.assets
    assert name.endswith(".svg") and b"alert" not in result.assets[name] and b"<rect" in result.assets[name]
    assert f'src="asset:{name}"' in result.items[0].stem


def test_an_image_from_the_web_skips_the_item():
    result = QTI.parse(item('<p><img src="https://example.org/a.png" alt=""/></p>' + CHOICES), "i.xml")
    assert "outside the file" in result.skipped[0].reason


def test_images_in_a_package_must_be_inside_it_and_real_images():
    def package(src: str, members: dict[str, bytes]) -> bytes:
        return zip_of({"imsmanifest.xml": manifest(("imsqti_item_xmlv2p2", "items/a.xml")),
                       "items/a.xml": item(f'<p><img src="{src}" alt=""/></p>' + CHOICES), **members})
    assert "points outside the package" in str(refusal(package("../../x.png", {}), "p.zip"))
    assert "is not in the package" in str(refusal(package("gone.png", {}), "p.zip"))
    assert "not a PNG, JPEG, GIF, WebP or SVG" in str(refusal(package("x.png", {"items/x.png": b"MZ"}), "p.zip"))
    result = QTI.parse(package("../img/x%20y.png", {"img/x y.png": PNG}), "p.zip")
    assert list(result.assets.values()) == [PNG]


def test_qti_12_is_refused_with_advice():
    assert "QTI 1.2" in str(refusal(b"<questestinterop><item/></questestinterop>", "old.xml"))


def test_a_qti2_file_with_qti3_names_is_refused():
    data = item(CHOICES.replace("<prompt>Pilih satu</prompt>", "<qti-prompt>x</qti-prompt>"), ns=QTI21)
    assert "QTI 3 element name in a QTI 2.1 document" in str(refusal(data, "i.xml"))


def test_an_image_without_a_source_needs_no_file():
    (choice,) = QTI.parse(item('<p><img alt="kosong"/></p>' + CHOICES), "i.xml").items
    assert choice.stem.startswith('<p><img alt="kosong"></p>')


def test_a_section_reference_that_is_not_followed_is_reported():
    test = (f'<assessmentTest xmlns="{QTI22}" identifier="t" title="t"><testPart identifier="p" '
            'navigationMode="linear" submissionMode="individual"><assessmentSection identifier="s" title="TWK" '
            'visible="true"><assessmentItemRef identifier="a" href="a.xml"/>'
            '<assessmentSectionRef identifier="more" href="more.xml"/></assessmentSection></testPart></assessmentTest>')
    data = zip_of({"imsmanifest.xml": manifest(("imsqti_test_xmlv2p2", "test.xml")),
                   "test.xml": test.encode(), "a.xml": item(CHOICES)})
    result = QTI.parse(data, "p.zip")
    assert [it.category for it in result.items] == ["TWK"]
    assert "section reference 'more.xml' is not followed" in result.warnings[0]
