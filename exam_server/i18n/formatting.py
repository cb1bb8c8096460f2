"""Numbers, dates and times as a person in the office reads them, through Babel's locale data.

Times are shown in the office's own zone (a setting: WIB, WITA or WIT) with the
zone's name, because a paper read in Makassar must not say Jakarta's hour.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

# Indonesia's three zones by the names an office uses, and the zone database's name of each.
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
EMPTY = "–"


@dataclass(frozen=True)
class Formatter:
    locale: str = "id"
    zone: str = "WIB"

    def number(self, value, places: int = 2) -> str:
        """87.5 -> "87,50" in Indonesian, "87.50" in English; nothing -> a dash."""
        if value is None or value == "":
            return EMPTY
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(amount, pattern, locale=self.locale, decimal_quantization=True)

    def local(self, moment) -> datetime | None:
        """A stored time (ms since the epoch, an ISO text or a datetime) in the office's zone."""
        if moment is None or moment == "":
            return None
        if isinstance(moment, (int, float)):
            moment = datetime.fromtimestamp(moment / 1000, timezone.utc)
        elif isinstance(moment, str):
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(ZoneInfo(ZONES[self.zone]))

    def date(self, moment) -> str:
        """"7 Desember 2026"."""
        local = self.local(moment)
        return EMPTY if local is None else format_date(local, "long", locale=self.locale)

    def time(self, moment, *, seconds: bool = False) -> str:
        """"14.02 WIB": the office's hour with its zone's name."""
        local = self.local(moment)
        if local is None:
            return EMPTY
        pattern = ("HH.mm.ss" if seconds else "HH.mm") if self.locale == "id" else ("HH:mm:ss" if seconds else "HH:mm")
        return f"{format_time(local, pattern, locale=self.locale)} {self.zone}"

    def datetime(self, moment, *, seconds: bool = False) -> str:
        """"7 Desember 2026 14.02 WIB"."""
        local = self.local(moment)
        return EMPTY if local is None else f"{self.date(local)} {self.time(local, seconds=seconds)}"
