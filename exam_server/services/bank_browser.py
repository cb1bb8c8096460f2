"""Browsing a bank version's items, as the kiosk shows them, with keys, usage and retirement.

A bank holds up to 50,000 items, encrypted. A page is chosen in SQL (by
ordinal, category, id) and only its items are decrypted; a text search
decrypts in chunks and stops after ``SCAN_LIMIT`` items, handing back where
it stopped, so one request never decrypts a whole bank. Nothing decrypted is
kept: the content lives only as long as the request.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from exam_server.banks.text import to_plain
from exam_server.domain.assembly import form_from_json
from exam_server.domain.correction import letters
from exam_server.domain.items import Item, item_from_dict
from exam_server.errors import NotFound
from exam_server.services.banks import asset_context, category_matches, find_version, item_context
from exam_server.services.context import ServiceContext
from exam_server.store import models

PER_PAGE = 20
SCAN_CHUNK = 250
SCAN_LIMIT = 5000  # items decrypted by one text search request at most
_ASSET = re.compile(r"asset:([A-Za-z0-9._-]{1,128})")
_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
          "webp": "image/webp"}


@dataclass(frozen=True)
class Query:
    text: str = ""
    category: str = ""
    item_id: int | None = None
    after: int = 0  # the ordinal after which the page starts


def browse(ctx: ServiceContext, code: str, version: int, query: Query) -> dict:
    """One page of items: ``items`` shown as delivered, ``next_after`` where the next page starts (or None)."""
    with ctx.db.reading() as session:
        bank, row = find_version(session, code, version)
        found, next_after, scanned = _page(ctx, session, code, row, query)
        usage = _shown_counts(session, row.id, [i for i, _, _ in found])
        retired = _retired(session, [i for i, _, _ in found])
        shown = [shown_item(ctx, session, row, item_id, ordinal, item, usage.get(item_id, 0), retired.get(item_id))
                 for item_id, ordinal, item in found]
        return {"bank": code, "version": version, "item_count": row.item_count,
                "categories": json.loads(row.categories_json), "items": shown, "next_after": next_after,
                "scanned": scanned, "exams": drawing_exams(session, code)}


def _page(ctx, session, code: str, row: models.BankVersion, query: Query):
    base = select(models.Item.id, models.Item.ordinal, models.Item.content).where(
        models.Item.bank_version_id == row.id, models.Item.ordinal > query.after)
    if query.item_id is not None:
        base = base.where(models.Item.id == query.item_id)
    condition = category_matches(query.category.strip() or None)
    if condition is not None:
        base = base.where(condition)
    base = base.order_by(models.Item.ordinal)
    needle = query.text.strip().casefold()
    if not needle:
        rows = session.execute(base.limit(PER_PAGE + 1)).all()
        page = [(r.id, r.ordinal, _open(ctx, code, row.version, r)) for r in rows[:PER_PAGE]]
        return page, (rows[PER_PAGE - 1].ordinal if len(rows) > PER_PAGE else None), len(page)
    return _search(ctx, session, code, row.version, base, needle)


def _search(ctx, session, code: str, version: int, base, needle: str):
    """Decrypt chunk by chunk until a page is found or the scan limit is reached."""
    found, scanned, after = [], 0, None
    while scanned < SCAN_LIMIT:
        chunk = min(SCAN_CHUNK, SCAN_LIMIT - scanned)
        rows = session.execute(base.where(models.Item.ordinal > (after or 0)).limit(chunk)).all()
        for r in rows:
            scanned += 1
            after = r.ordinal
            item = _open(ctx, code, version, r)
            if needle in _searchable(item):
                found.append((r.id, r.ordinal, item))
                if len(found) == PER_PAGE:
                    return found, after, scanned
        if len(rows) < chunk:
            return found, None, scanned
    more = session.execute(base.where(models.Item.ordinal > after).limit(1)).first() is not None
    return found, after if more else None, scanned


def _open(ctx, code: str, version: int, row) -> Item:
    return item_from_dict(ctx.cipher.open_json(row.content, item_context(code, version, row.ordinal)))


def _searchable(item: Item) -> str:
    texts = [item.title, item.source, to_plain(item.stem)] + [to_plain(o.text) for o in item.options]
    return " ".join(texts).casefold()


def shown_item(ctx, session, row: models.BankVersion, item_id: int, ordinal: int, item: Item, shown: int = 0,
               retired: dict | None = None) -> dict:
    """An item in the bank's original option order, texts as the kiosk gets them (images inlined)."""
    return {**_as_shown(item_id, ordinal, item, _inliner(ctx, session, row)), "shown": shown, "retired": retired}


def _as_shown(item_id: int | None, ordinal: int, item: Item, inline) -> dict:
    return {"id": item_id, "ordinal": ordinal, "category": item.category, "title": item.title,
            "source": item.source, "kind": item.kind, "stem": inline(item.stem), "retired": None,
            "options": [{"letter": letter, "text": inline(o.text), "weight": str(o.weight), "fixed": o.fixed,
                         "feedback": o.feedback}
                        for letter, o in zip(letters(len(item.options)), item.options)]}


def _inliner(ctx, session, row: models.BankVersion):
    """asset:NAME to the image itself, from this bank version only (as the kiosk, no image URL to fetch)."""
    cache: dict[str, str] = {}
    code = session.get(models.Bank, row.bank_id).code

    def data_uri(name: str) -> str:
        if name not in cache:
            sealed = session.scalar(select(models.Asset.content).where(
                models.Asset.bank_version_id == row.id, models.Asset.name == name))
            blob = None if sealed is None else ctx.cipher.open(sealed, asset_context(code, row.version, name))
            cache[name] = _data_uri(name, blob)
        return cache[name]

    return lambda html: _ASSET.sub(lambda m: data_uri(m.group(1)), html) if "asset:" in html else html


def _data_uri(name: str, blob: bytes | None) -> str:
    """An image as a data: URI, as the kiosk gets it; nothing when the bank lacks it."""
    if blob is None:
        return ""
    media = _MEDIA.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    return f"data:{media};base64,{base64.b64encode(blob).decode()}"


def first_items(data: bytes, filename: str, fmt: str | None, count: int = 5) -> list[dict]:
    """The first items of a file checked by a dry run, shown as the kiosk would (parsed again, never stored)."""
    from exam_server.async_mode import run_blocking
    from exam_server.banks.importer import guess_format, parse_bank

    parsed = run_blocking(lambda: parse_bank(data, filename, fmt or guess_format(data, filename)))

    def inline(html: str) -> str:
        return _ASSET.sub(lambda m: _data_uri(m.group(1), parsed.assets.get(m.group(1))), html)

    return [_as_shown(None, ordinal, item, inline) for ordinal, item in enumerate(parsed.items[:count], 1)]


# ---------------------------------------------------------------- usage


def sessions_of_version(session, version_id: int) -> list[models.ExamSession]:
    rows = session.scalars(select(models.ExamSession).order_by(models.ExamSession.id)).all()
    return [s for s in rows if version_id in json.loads(s.bank_versions_json).values()]


def _shown_counts(session, version_id: int, item_ids: list[int]) -> dict[int, int]:
    """How many started attempts were shown each item (forms of the sessions on this version only)."""
    wanted, counts = set(item_ids), {}
    for exam_session in sessions_of_version(session, version_id):
        forms = session.scalars(select(models.Attempt.form_json).where(
            models.Attempt.session_id == exam_session.id, models.Attempt.started_at.is_not(None))).all()
        for form in forms:
            for entry in form_from_json(json.loads(form)):
                if entry.item_id in wanted:
                    counts[entry.item_id] = counts.get(entry.item_id, 0) + 1
    return counts


def drawing_exams(session, code: str) -> list[dict]:
    """The exams with a section on this bank: code, section, category."""
    from exam_server.services.exams import load_blueprint

    found = []
    for exam in session.scalars(select(models.Exam).order_by(models.Exam.code)):
        for section in load_blueprint(exam).sections:
            if section.bank == code:
                found.append({"exam": exam.code, "section": section.name, "category": section.category})
    return found


def _retired(session, item_ids: list[int]) -> dict[int, dict]:
    rows = session.scalars(select(models.ItemRetirement).where(models.ItemRetirement.item_id.in_(item_ids))).all()
    return {r.item_id: {"at": r.at, "reason": r.reason} for r in rows}


# ---------------------------------------------------------------- one item


def item_detail(ctx: ServiceContext, code: str, version: int, item_id: int) -> dict:
    """One item with its usage and, per session that drew it, its statistics from the item analysis."""
    from exam_server.services.analysis import session_analysis

    page = browse(ctx, code, version, Query(item_id=item_id))
    if not page["items"]:
        raise NotFound(f"bank {code!r} version {version} has no item {item_id}")
    item = page["items"][0]
    with ctx.db.reading() as session:
        row = find_version(session, code, version)[1]
        sessions = [(s.id, s.name) for s in sessions_of_version(session, row.id)]
        item["exams"] = [e for e in drawing_exams(session, code)
                         if not e["category"] or category_matches_text(item["category"], e["category"])]
    item["statistics"] = []
    for session_id, name in sessions:
        rows = [r for r in session_analysis(ctx, session_id)["items"] if r["item_id"] == item_id]
        item["statistics"] += [{**r, "session_id": session_id, "session_name": name} for r in rows]
    return item


def category_matches_text(category: str, wanted: str) -> bool:
    """The blueprint's category rule (the category itself or one below it), in Python."""
    return category == wanted or category.startswith(wanted + "/")


def item_by_id(ctx: ServiceContext, item_id: int, session_id: int | None = None) -> dict | None:
    """One item as shown, wherever it is; with ``session_id``, the scoring state its corrections put in force."""
    from exam_server.domain.correction import describe
    from exam_server.services.corrected_keys import item_states

    with ctx.db.reading() as session:
        found = session.execute(select(models.Item, models.BankVersion).join(
            models.BankVersion, models.Item.bank_version_id == models.BankVersion.id)
            .where(models.Item.id == item_id)).first()
        if found is None:
            return None
        item, row = found
        code = session.get(models.Bank, row.bank_id).code
        shown = _as_shown(item.id, item.ordinal, _open(ctx, code, row.version, item), _inliner(ctx, session, row))
        state = item_states(ctx, session, session_id).get(item_id) if session_id else None
        return {**shown, "bank": code, "version": row.version, "in_force": describe(state) if state else None}
