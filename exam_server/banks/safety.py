"""Reading untrusted XML, zip packages and images without being hurt by them.

Every bank file comes from outside: it may be broken by accident or built to
hurt the server (entity expansion, external entities, zip slip, zip bombs,
scripts hidden in images). The readers here refuse such input with a
``BankFormatError`` that names the file and the problem, and never let a
lower-level exception through.
"""
from __future__ import annotations

import base64
import hashlib
import io
import posixpath
import re
import struct
import zipfile
import zlib
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from exam_server.banks.base import BankFormatError, Problem

MAX_XML_BYTES = 64 * 1024 * 1024
MAX_XML_DEPTH = 256
MAX_XML_ELEMENTS = 2_000_000

MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_TOTAL = 256 * 1024 * 1024
MAX_ZIP_MEMBER = 64 * 1024 * 1024
MAX_ZIP_RATIO = 100
# Small members may compress far better than 100:1 (a file of blanks) without
# being a danger; the ratio rule applies to what they expand to beyond this.
RATIO_FREE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


def _owner(where: str) -> str:
    """The uploaded file's name in a location like 'pkg.zip!items/a.xml'."""
    return where.split("!", 1)[0]


def refuse(where: str, reason: str, filename: str | None = None) -> BankFormatError:
    """A one-problem error; ``filename`` defaults to the file named in ``where``."""
    return BankFormatError([Problem(where, reason)], filename=filename or _owner(where))


# --------------------------------------------------------------------- XML


class XmlElement(ET.Element):
    """An element that remembers the line it starts on (``line``)."""

    line: int = 0


class _StopParsing(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _LineTreeBuilder(ET.TreeBuilder):
    def __init__(self) -> None:
        super().__init__(element_factory=XmlElement)
        self.expat = None
        self.depth = 0
        self.count = 0

    def start(self, tag, attrs):  # noqa: ANN001 - ElementTree's signature
        self.depth += 1
        self.count += 1
        if self.depth > MAX_XML_DEPTH:
            raise _StopParsing(f"elements are nested more than {MAX_XML_DEPTH} levels deep")
        if self.count > MAX_XML_ELEMENTS:
            raise _StopParsing(f"more than {MAX_XML_ELEMENTS:,} elements")
        element = super().start(tag, attrs)
        element.line = self.expat.CurrentLineNumber
        return element

    def end(self, tag):  # noqa: ANN001
        self.depth -= 1
        return super().end(tag)


_DEFUSED_REASONS = {
    "DTDForbidden": "a document type declaration (DTD) is not allowed",
    "EntitiesForbidden": "entity declarations are not allowed (entity expansion attack)",
    "ExternalReferenceForbidden": "references to external entities or files are not allowed",
}


def parse_xml(data: bytes, where: str) -> XmlElement:
    """Parse untrusted XML: no DTD, no entity declarations, no external references.

    Returns the root element; every element carries its source ``line``.
    Raises ``BankFormatError`` (located at ``where:line:column``) for any
    problem, including malformed XML, an unknown encoding, or absurd nesting.
    """
    if len(data) > MAX_XML_BYTES:
        raise refuse(where, f"the XML file is larger than {MAX_XML_BYTES // 2**20} MiB")
    owner = _owner(where)
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    expat = parser.parser
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        message = re.sub(r":? line \d+, column \d+$", "", str(exc))
        raise refuse(f"{where}:{line}:{column + 1}", f"not well-formed XML: {message}", owner) from None
    except DefusedXmlException as exc:
        reason = _DEFUSED_REASONS.get(type(exc).__name__, f"forbidden XML construct ({exc})")
        raise refuse(f"{where}:{expat.CurrentLineNumber}", reason, owner) from None
    except _StopParsing as exc:
        raise refuse(f"{where}:{expat.CurrentLineNumber}", exc.reason, owner) from None
    except (LookupError, ValueError) as exc:  # unknown or unusable declared encoding
        raise refuse(where, f"cannot read the XML: {exc}") from None


def local_name(tag: object) -> str:
    """'{namespace}name' -> 'name' (comments and processing instructions -> '')."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


# --------------------------------------------------------------------- zip


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name_reason(name: str) -> str | None:
    if not name or "\x00" in name:
        return "an empty or NUL-bearing member name"
    if "\\" in name:
        return "a backslash in the member name (Windows path)"
    if name.startswith("/"):
        return "an absolute member path"
    if _DRIVE.match(name):
        return "a drive letter in the member path"
    if ".." in name.split("/"):
        return "'..' in the member path (zip slip: it would land outside the package)"
    return None


def normalise_member(path: str) -> str | None:
    """'a/./b//c' -> 'a/b/c'; None when the path leaves the package root."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def resolve_href(base_member: str, href: str) -> str | None:
    """The member an ``href`` written in ``base_member`` points at.

    ``items/../img/sign.png`` from ``items/a.xml`` gives ``img/sign.png``.
    Returns None for an href that is absolute, uses a backslash or a drive
    letter, or climbs out of the package.
    """
    href = unquote(href.split("#", 1)[0].split("?", 1)[0]).strip()
    if not href or href.startswith("/") or "\\" in href or _DRIVE.match(href) or "\x00" in href:
        return None
    joined = posixpath.join(posixpath.dirname(base_member), href)
    return normalise_member(joined)


def _declared_member_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read cheaply."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    (count,) = struct.unpack("<H", data[at + 10 : at + 12])
    return None if count == 0xFFFF else count


class SafeZip:
    """Read-only view of a checked zip package; member names are normalised paths."""

    def __init__(self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], filename: str):
        self._archive = archive
        self._members = members
        self.filename = filename
        self._read_total = 0

    def names(self) -> list[str]:
        return list(self._members)

    def __contains__(self, path: object) -> bool:
        return path in self._members

    def where(self, path: str) -> str:
        return f"{self.filename}!{path}"

    def read(self, path: str) -> bytes:
        """The member's bytes, read in chunks and cut off at its cap."""
        info = self._members[path]
        cap = min(MAX_ZIP_MEMBER, max(RATIO_FREE_BYTES, MAX_ZIP_RATIO * info.compress_size))
        chunks: list[bytes] = []
        size = 0
        try:
            with self._archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > cap or self._read_total + size > MAX_ZIP_TOTAL:
                        raise refuse(self.where(path), "the member expands beyond the allowed size (zip bomb)")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError) as exc:
            raise refuse(self.where(path), f"the member cannot be read: {exc}") from None
        self._read_total += size
        return b"".join(chunks)


def open_zip(data: bytes, filename: str) -> SafeZip:
    """Open an untrusted zip after checking every member; all problems at once.

    Refuses: unreadable or truncated archives, zip slip names (absolute,
    '..', backslashes, drive letters), encrypted members, more than
    ``MAX_ZIP_MEMBERS`` members, more than ``MAX_ZIP_TOTAL`` bytes in all or
    ``MAX_ZIP_MEMBER`` in one, and members that expand more than
    ``MAX_ZIP_RATIO`` times.
    """
    declared = _declared_member_count(data)
    if declared is not None and declared > MAX_ZIP_MEMBERS:
        raise refuse(filename, f"the zip holds {declared} members, more than the {MAX_ZIP_MEMBERS} allowed")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, struct.error) as exc:
        raise refuse(filename, f"not a readable zip file (truncated or damaged?): {exc}") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refuse(filename, f"the zip holds {len(infos)} members, more than the {MAX_ZIP_MEMBERS} allowed")
    problems, members = _check_members(infos, filename)
    if problems:
        raise BankFormatError(problems, filename=filename)
    return SafeZip(archive, members, filename)


def _check_members(infos: list[zipfile.ZipInfo], filename: str) -> tuple[list[Problem], dict]:
    problems: list[Problem] = []
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        where = f"{filename}!{info.filename}"
        unsafe = _unsafe_name_reason(info.filename)
        if unsafe:
            problems.append(Problem(where, f"refused: {unsafe}"))
            continue
        if info.flag_bits & 0x1:
            problems.append(Problem(where, "the member is encrypted; encrypted packages are not accepted"))
        if info.is_dir():
            continue
        total += info.file_size
        problems.extend(Problem(where, reason) for reason in _size_reasons(info))
        name = normalise_member(info.filename)
        if name in members:
            problems.append(Problem(where, "the same member name appears twice"))
        members[name] = info
    if total > MAX_ZIP_TOTAL:
        problems.append(Problem(filename, f"the members expand to {total:,} bytes in all, "
                                          f"more than the {MAX_ZIP_TOTAL // 2**20} MiB allowed"))
    return problems, members


def _size_reasons(info: zipfile.ZipInfo) -> list[str]:
    reasons = []
    if info.file_size > MAX_ZIP_MEMBER:
        reasons.append(f"the member expands to {info.file_size:,} bytes, more than the "
                       f"{MAX_ZIP_MEMBER // 2**20} MiB allowed for one member")
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_ZIP_RATIO * info.compress_size:
        reasons.append(f"the member expands {info.file_size // max(info.compress_size, 1):,} times "
                       f"(more than {MAX_ZIP_RATIO}:1): a zip bomb")
    return reasons


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


# ------------------------------------------------------------------ images

IMAGE_EXTENSIONS = {"png": ("png",), "jpg": ("jpg", "jpeg"), "gif": ("gif",), "webp": ("webp",)}


def sniff_image(data: bytes) -> str | None:
    """'png', 'jpg', 'gif' or 'webp' from the magic bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def data_url_bytes(url: str) -> bytes:
    """The bytes of a ``data:`` URL; ``ValueError`` when it cannot be decoded."""
    header, comma, payload = url.partition(",")
    if not comma or not header.lower().startswith("data:"):
        raise ValueError("not a data: URL")
    if header.lower().endswith(";base64"):
        return base64.b64decode("".join(unquote(payload).split()), validate=True)
    return unquote(payload).encode("utf-8", "surrogateescape")


class ImageRefused(ValueError):
    """Bytes offered as an image that we will not store; the message says why."""


def image_asset_name(data: bytes, original_name: str) -> str:
    """Content-addressed asset name: sha256 hex[:32] + the extension, lower case.

    The original extension is kept when it fits the bytes (``.jpeg`` stays
    ``.jpeg``); otherwise the extension of what the bytes really are is used.
    Raises ``ImageRefused`` for SVG (it must be cleaned: use ``stored_image``)
    and anything that is not PNG, JPEG, GIF or WebP.
    """
    kind = sniff_image(data)
    extension = posixpath.splitext(original_name)[1].lower().lstrip(".")
    if kind is None:
        if looks_like_svg(data, original_name):
            raise ImageRefused(f"{original_name}: SVG images must be cleaned first (they can carry scripts); "
                               "store them with stored_image")
        raise ImageRefused(f"{original_name}: not a PNG, JPEG, GIF, WebP or SVG image")
    if extension not in IMAGE_EXTENSIONS[kind]:
        extension = kind
    return hashlib.sha256(data).hexdigest()[:32] + "." + extension


def looks_like_svg(data: bytes, original_name: str) -> bool:
    head = data[:512].lstrip().lower()
    return original_name.lower().endswith(".svg") or b"<svg" in head or head.startswith(b"<?xml")
