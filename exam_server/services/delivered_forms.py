"""A candidate's form as the kiosk gets it: texts in the candidate's own order, never weights or item ids.

Built once per attempt and process, at ``start`` in the writer (beside the
scoring key), and kept in ``ctx.form_cache`` once the start has committed,
so the ``form`` event on the event loop only serves it. A form never
changes once drawn, and an attempt never goes back to not started, so a kept
form stays true. The texts (pictures inlined) are kept per item and the
option entries per (item, display key, option), shared by every attempt that
drew them: a kept form costs its own small lists and dicts, not the texts.
"""
from __future__ import annotations

from exam_server.services import bank_images
from exam_server.services.attempt_core import AttemptKey, display_keys, items_of
from exam_server.services.context import ServiceContext


def build_form(ctx: ServiceContext, session, key: AttemptKey) -> list[dict]:
    """The delivered items of ``key``'s form, texts read (and pictures opened) in ``session``."""
    items = items_of(ctx, session, [entry.item_id for entry in key.form])
    inline = bank_images.inliner(ctx, session)
    sections = key.blueprint.sections
    delivered = []
    for entry in key.form:
        stem, options = _texts(ctx, entry.item_id, items[entry.item_id], inline)
        delivered.append({
            "position": entry.position,
            "section": sections[entry.section].name,
            "stem": stem,
            "options": [_option(ctx, entry.item_id, shown, original, options[original])
                        for shown, original in zip(display_keys(len(entry.option_order)), entry.option_order)],
        })
    return delivered


def served(ctx: ServiceContext, attempt_id: int) -> dict | None:
    """The kept form of a started attempt, as the ``form`` event answers it (None: not kept here)."""
    items = ctx.form_cache.get(attempt_id)
    return None if items is None else {"items": items}


def keep(ctx: ServiceContext, attempt_id: int, items: list[dict]) -> None:
    """Keep a started attempt's form; call only after the start is committed."""
    ctx.form_cache[attempt_id] = items


def _texts(ctx: ServiceContext, item_id: int, item, inline) -> tuple[str, tuple[str, ...]]:
    texts = ctx.item_text_cache.get(item_id)
    if texts is None:
        texts = (inline(item.stem), tuple(inline(option.text) for option in item.options))
        ctx.item_text_cache[item_id] = texts
    return texts


def _option(ctx: ServiceContext, item_id: int, shown: str, original: int, text: str) -> dict:
    # Shared between attempts and never changed once built: the acknowledgement only reads it.
    entry = ctx.option_cache.get((item_id, shown, original))
    if entry is None:
        entry = {"key": shown, "text": text}
        ctx.option_cache[(item_id, shown, original)] = entry
    return entry
