"""A QTI content package (.zip): its manifest, the tests it lists and the items they refer to."""
from __future__ import annotations

import re

from exam_server.banks.base import BankFormatError, ParseResult, Problem
from exam_server.banks.qti_items import (
    Context, inline_image, ItemReader, outside_image, read_item, SkipItem, store,
)
from exam_server.banks.qti_normalise import annotate, normalise
from exam_server.banks.safety import SafeZip, XmlElement, local_name, parse_xml, resolve_href

_ITEM_TYPE = re.compile(r"^imsqti_item_xmlv(2p0|2p1|2p2|3p0)$")
_TEST_TYPE = re.compile(r"^imsqti_test_xmlv(2p0|2p1|2p2|3p0)$")


class Package:
    def __init__(self, archive: SafeZip):
        self.zip = archive
        self.problems: list[Problem] = []
        self.result = ParseResult()
        self.parsed: dict[str, XmlElement | None] = {}
        self.declared: dict[str, tuple[str, XmlElement]] = {}  # test member -> (type, resource)

    def where(self, member: str, element: XmlElement | None = None) -> str:
        base = self.zip.where(member)
        return f"{base}:{element.line} ({element.path})" if element is not None else base

    def load(self, member: str) -> XmlElement | None:
        """The normalised root of a QTI file in the package, or None (problem recorded)."""
        if member not in self.parsed:
            try:
                root = parse_xml(self.zip.read(member), self.zip.where(member))
                normalise(root, self.zip.where(member))
                self.parsed[member] = root
            except BankFormatError as exc:
                self.problems.extend(exc.problems)
                self.parsed[member] = None
        return self.parsed[member]

    def member(self, base: str, href: str, element: XmlElement, what: str) -> str | None:
        target = resolve_href(base, href)
        if not href.strip():
            self.problems.append(Problem(self.where(base, element), f"the {what} has no href"))
        elif target is None:
            self.problems.append(Problem(self.where(base, element),
                                         f"{what} {href!r} points outside the package: refused"))
        elif target not in self.zip:
            self.problems.append(Problem(self.where(base, element), f"{what} {href!r} is not in the package"))
            return None
        return target

    def image(self, src: str, element: XmlElement, reader: ItemReader) -> str | None:
        if src.lower().startswith("data:"):
            return inline_image(src, element, reader)
        outside = outside_image(src)
        if outside:
            raise SkipItem(outside)
        base = reader.context.where.split("!", 1)[1]
        target = resolve_href(base, src)
        if target is None:
            reader.problem(element, f"the image {src!r} points outside the package: refused")
        elif target not in self.zip:
            reader.problem(element, f"the image {src!r} is not in the package")
        else:
            return store(reader, element, self.zip.read(target), target)
        return None

    def read(self) -> ParseResult:
        if "imsmanifest.xml" not in self.zip:
            self.problems.append(Problem(self.zip.filename, "no imsmanifest.xml at the top of the zip: "
                                                            "this is not an IMS content package"))
            return self.finish()
        loaded = self.load_manifest()
        if loaded is None:
            return self.finish()
        items, tests = loaded
        order: dict[str, dict] = {}
        for test in tests:
            for member, category in self.test_refs(test):
                order.setdefault(member, {"category": category})
        for member, meta in items.items():
            order.setdefault(member, {}).update(meta)
        if not order and not self.problems:
            self.problems.append(Problem(self.where("imsmanifest.xml"), "the manifest lists no QTI items or tests"))
        for member, meta in order.items():
            self.item(member, meta)
        return self.finish()

    def finish(self) -> ParseResult:
        if self.problems:
            raise BankFormatError(self.problems, filename=self.zip.filename)
        return self.result

    def load_manifest(self) -> tuple[dict[str, dict], list[str]] | None:
        try:
            manifest = parse_xml(self.zip.read("imsmanifest.xml"), self.zip.where("imsmanifest.xml"))
        except BankFormatError as exc:
            self.problems.extend(exc.problems)
            return None
        annotate(manifest, f"/{local_name(manifest.tag)}")
        if local_name(manifest.tag) != "manifest":
            self.problems.append(Problem(self.where("imsmanifest.xml", manifest),
                                         "the root element of imsmanifest.xml must be <manifest>"))
            return None
        items: dict[str, dict] = {}
        tests: list[str] = []
        for resource in (e for e in manifest.iter() if local_name(e.tag) == "resource"):
            kind = resource.get("type", "")
            is_item, is_test = bool(_ITEM_TYPE.match(kind)), bool(_TEST_TYPE.match(kind))
            if not (is_item or is_test):
                continue
            for file in (e for e in resource if local_name(e.tag) == "file"):
                self.member("imsmanifest.xml", file.get("href", ""), file, "file")
            target = self.member("imsmanifest.xml", resource.get("href", ""), resource, f"{kind} resource")
            if target and is_item:
                items[target] = {"declared": kind, **_lom(resource)}
            elif target:
                tests.append(target)
                self.declared[target] = (kind, resource)
        return items, tests

    def test_refs(self, member: str) -> list[tuple[str, str]]:
        root = self.load(member)
        if root is None:
            return []
        if root.tag != "assessmentTest":
            kind, resource = self.declared[member]
            self.problems.append(Problem(self.where("imsmanifest.xml", resource),
                                         f"{member} is declared as a test ({kind}) but holds <{root.qti_name}>"))
            return []
        refs: list[tuple[str, str]] = []
        self.collect_refs(member, root, "", refs)
        return refs

    def collect_refs(self, member: str, element: XmlElement, category: str, refs: list) -> None:
        for child in element:
            if child.tag == "assessmentSection":
                self.collect_refs(member, child, child.get("title", "").strip() or category, refs)
            elif child.tag == "assessmentItemRef":
                target = self.member(member, child.get("href", ""), child, "item reference")
                if target:
                    refs.append((target, category))
            elif child.tag == "testPart":
                self.collect_refs(member, child, category, refs)
            elif child.tag == "assessmentSectionRef":
                self.result.warnings.append(
                    f"{self.where(member, child)}: the section reference {child.get('href', '')!r} is not "
                    "followed; its items are imported only when the manifest lists them")

    def item(self, member: str, meta: dict) -> None:
        root = self.load(member)
        if root is None:
            return
        if root.tag != "assessmentItem":
            reason = (f"declared as an item ({meta['declared']}) but holds <{root.qti_name}>" if "declared" in meta
                      else f"a test refers to it as an item, but it holds <{root.qti_name}>")
            self.problems.append(Problem(self.where(member, root), reason))
            return
        context = Context(self.zip.where(member), f"{member}:", self.image, meta.get("category", ""),
                           meta.get("tags", ()), meta.get("difficulty", ""))
        read_item(root, context, self.result, self.problems)


def _lom(resource: XmlElement) -> dict:
    """Tags (LOM keywords) and difficulty from a manifest resource's metadata."""
    tags: list[str] = []
    difficulty = ""
    for element in resource.iter():
        name = local_name(element.tag)
        if name == "keyword":
            tags.extend(" ".join("".join(s.itertext()).split()) for s in element.iter()
                        if local_name(s.tag) == "string")
        elif name == "difficulty":
            values = [" ".join("".join(v.itertext()).split()) for v in element.iter() if local_name(v.tag) == "value"]
            difficulty = next((v for v in values if v), difficulty)
    return {"tags": tuple(dict.fromkeys(t for t in tags if t)), "difficulty": difficulty}
