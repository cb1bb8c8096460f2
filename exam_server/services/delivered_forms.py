"""A candidate's form as the kiosk gets it: texts in the candidate's own order, never weights or item ids.

Built once per attempt and process, at ``start`` in the writer (beside the
scoring key), and kept in ``ctx.form_cache`` once the start has committed,
so the ``form`` event on the event loop only serves it. A form never
changes once drawn, and an attempt never goes back to not started, so a kept
form stays true.

What is kept is JSON already encoded, in pieces: each item's stem (pictures
inlined) and each option entry per (item, display key, option) are encoded
once and shared by every attempt that drew them, and a kept form is its own
small list of positions and references to them. Serving a form joins the
pieces (a quarter of the time of encoding the form whole, which made a
fifth of the event loop's work in a start storm); a form's whole text is
never kept, which would cost a hall's memory per connection.
"""
from __future__ import annotations

import json
from typing import NamedTuple

from exam_server.services import bank_images
from exam_server.services.attempt_core import AttemptKey, display_keys, items_of
from exam_server.services.context import ServiceContext

_ITEM = '{"position":%d,"section":%s,"stem":%s,"options":[%s]}'


class KeptItem(NamedTuple):
    """One delivered item, its texts as shared JSON pieces."""
    position: int
    section: str  # JSON
    stem: str  # JSON
    options: tuple[str, ...]  # JSON objects {"key", "text"} in the candidate's order


def build_form(ctx: ServiceContext, session, key: AttemptKey) -> list[KeptItem]:
    """The delivered items of ``key``'s form, texts read (and pictures opened) in ``session``."""
    items = items_of(ctx, session, [entry.item_id for entry in key.form])
    inline = bank_images.inliner(ctx, session)
    sections = [_encoded(section.name) for section in key.blueprint.sections]
    delivered = []
    for entry in key.form:
        stem, options = _texts(ctx, entry.item_id, items[entry.item_id], inline)
        delivered.append(KeptItem(
            entry.position, sections[entry.section], stem,
            tuple(_option(ctx, entry.item_id, shown, original, options[original])
                  for shown, original in zip(display_keys(len(entry.option_order)), entry.option_order))))
    return delivered


def encoded(items: list[KeptItem]) -> str:
    """The JSON array of a form's items, joined from its pieces."""
    return "[" + ",".join(_ITEM % (item.position, item.section, item.stem, ",".join(item.options))
                          for item in items) + "]"


def served(ctx: ServiceContext, attempt_id: int) -> str | None:
    """The kept form of a started attempt as JSON text, the array of its items (None: not kept here)."""
    items = ctx.form_cache.get(attempt_id)
    return None if items is None else encoded(items)


def keep(ctx: ServiceContext, attempt_id: int, items: list[KeptItem]) -> None:
    """Keep a started attempt's form; call only after the start is committed."""
    ctx.form_cache[attempt_id] = items


def _encoded(value) -> str:
    # As the Socket.IO packet encodes the rest of an acknowledgement.
    return json.dumps(value, separators=(",", ":"))


def _texts(ctx: ServiceContext, item_id: int, item, inline) -> tuple[str, tuple[str, ...]]:
    """The item's stem as JSON, and its options' texts (encoded with their display key in ``_option``)."""
    texts = ctx.item_text_cache.get(item_id)
    if texts is None:
        texts = (_encoded(inline(item.stem)), tuple(inline(option.text) for option in item.options))
        ctx.item_text_cache[item_id] = texts
    return texts


def _option(ctx: ServiceContext, item_id: int, shown: str, original: int, text: str) -> str:
    entry = ctx.option_cache.get((item_id, shown, original))
    if entry is None:
        entry = _encoded({"key": shown, "text": text})
        ctx.option_cache[(item_id, shown, original)] = entry
    return entry
