"""The frame of every printed paper: the office's letterhead, the date of issue, wrapped tables and signatures.

An office files these papers, so each one says whose it is (letterhead), when it
was printed (in the office's zone) and who signs it; a table wraps long text in
its cell instead of cutting it at the column's edge.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import segno
from fpdf import FPDF
from fpdf.fonts import FontFace

from exam_server.i18n import translate
from exam_server.i18n.formatting import Formatter

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_LOOPBACK = ("localhost", "127.", "::1", "0.0.0.0")


@dataclass(frozen=True)
class Office:
    """Who issues the papers, from the settings (docs/configuration.md)."""

    name: str = ""
    address: str = ""
    logo: Path | None = None
    public_url: str = ""
    signatories: tuple = ()
    zone: str = "WIB"
    locale: str = "id"
    issued_at: int | None = None  # ms since the epoch; the clock's now when the paper is made

    @classmethod
    def of(cls, settings, now_ms: int, locale: str = "id") -> "Office":
        logo = settings.data_dir / settings.office_logo if settings.office_logo else None
        return cls(name=settings.office_name, address=settings.office_address,
                   logo=logo if logo is not None and logo.is_file() else None, public_url=public_base(settings.public_url),
                   signatories=settings.signatories, zone=settings.office_zone, locale=locale, issued_at=now_ms)

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.locale, self.zone)

    def _(self, msgid: str, /, **values) -> str:
        return translate(msgid, self.locale, **values)

    def session_label(self, name: str, hall: str | None) -> str:
        """A session as the papers name it: its name, and its hall when it has one."""
        return self._("{name}, Ruang {hall}", name=name, hall=hall) if hall else name


def public_base(url: str) -> str:
    """The public URL without its trailing slash, or "" when it is missing or names this machine only:
    a QR code of 127.0.0.1 on paper leads every phone to itself."""
    host = urlsplit(url).hostname or ""
    return "" if not host or host.startswith(_LOOPBACK) else url.rstrip("/")


def qr_png(data: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=6, border=1)
    out.seek(0)
    return out


class Paper(FPDF):
    """A4 with a Unicode font (names are not always Latin-1), the letterhead on the first page, a footer on each."""

    def __init__(self, title: str, office: Office, *, orientation: str = "P"):
        super().__init__(orientation=orientation, format="A4")
        self.office = office
        self.set_title(title)
        self.set_creator("exam-server")
        self.set_auto_page_break(True, margin=18)
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family, self.unicode = "Body", True
        else:
            self.family, self.unicode = "Helvetica", False
        self.alias_nb_pages()

    def text_of(self, value) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def write_cell(self, w, h, value, *, bold=False, size=10, align="L", border=0, ln=False, fit=False):
        self.set_font(self.family, "B" if bold else "", size)
        # A long value shrinks to its box instead of running under what stands beside it.
        while fit and w and size > 5 and self.get_string_width(self.text_of(value)) > w - 1:
            size -= 0.5
            self.set_font(self.family, "B" if bold else "", size)
        self.cell(w, h, self.text_of(value), border=border, align=align,
                  new_x="LMARGIN" if ln else "RIGHT", new_y="NEXT" if ln else "TOP")

    def write_lines(self, value, *, size=10, bold=False, align="L", h=5):
        """A paragraph across the page, wrapped at its margins."""
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, h, self.text_of(value), align=align, new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        office = self.office
        self.set_y(-13)
        self.set_font(self.family, "", 7)
        issued = office._("Dicetak {when}", when=office.fmt.datetime(office.issued_at))
        page = office._("Halaman {page} dari {pages}", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, self.text_of(issued), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.text_of(page), align="R")

    def letterhead(self) -> None:
        """Logo, office name and address, ruled off; nothing but the rule when the office set none."""
        office, top = self.office, self.get_y()
        indent = 0
        if office.logo is not None:
            self.image(str(office.logo), x=self.l_margin, y=top, h=18)
            indent = 22
        self.set_xy(self.l_margin + indent, top)
        if office.name:
            self.set_font(self.family, "B", 13)
            self.multi_cell(self.epw - indent, 6, self.text_of(office.name), new_x="LEFT", new_y="NEXT")
        if office.address:
            self.set_font(self.family, "", 9)
            self.multi_cell(self.epw - indent, 4.5, self.text_of(office.address), new_x="LEFT", new_y="NEXT")
        bottom = max(self.get_y(), top + (19 if office.logo is not None else 0)) + 1.5
        self.set_line_width(0.6)
        self.line(self.l_margin, bottom, self.l_margin + self.epw, bottom)
        self.set_line_width(0.2)
        self.set_xy(self.l_margin, bottom + 3)

    def table(self, header: list[str], widths: list[float], rows: list[list], *, size: float = 8) -> None:
        """A table whose cells wrap their text; ``widths`` are shares of the page's width."""
        self.set_font(self.family, "", size)
        bold = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        with super().table(col_widths=widths, width=self.epw, headings_style=bold, line_height=size * 0.5,
                           text_align="LEFT", first_row_as_headings=True) as grid:
            for row in [header, *rows] if rows else [header, ["–"] + [""] * (len(header) - 1)]:
                cells = grid.row()
                for value in row:
                    cells.cell(self.text_of(value))

    def signatures(self, place_date: str = "") -> None:
        """The officials named in the settings side by side, each with a space to sign, name and NIP;
        blank lines for a name to be written in when none is set."""
        office = self.office
        people = office.signatories or (("", office._("Pengawas"), ""), ("", office._("Penanggung jawab"), ""))
        column = self.epw / max(len(people), 1)
        if self.will_page_break(45):
            self.add_page()
        self.ln(6)
        if place_date:
            self.set_x(self.l_margin + self.epw - column)
            self.write_cell(column, 5, place_date, size=9, align="C", ln=True)
        top = self.get_y()
        for index, (name, title, nip) in enumerate(people):
            x = self.l_margin + index * column
            self.set_xy(x, top)
            self.set_font(self.family, "", 9)
            self.multi_cell(column, 4.5, self.text_of(title or ""), align="C", new_x="LEFT", new_y="NEXT")
            self.set_xy(x, top + 24)
            self.set_font(self.family, "B", 9)
            self.multi_cell(column, 4.5, self.text_of(name or "(............................)"), align="C",
                            new_x="LEFT", new_y="NEXT")
            if nip:
                self.set_font(self.family, "", 8)
                self.multi_cell(column, 4, self.text_of(f"NIP {nip}"), align="C", new_x="LEFT", new_y="NEXT")
        self.set_xy(self.l_margin, top + 38)
