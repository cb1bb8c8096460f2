"""Importing, listing and reading question banks.

An import is one transaction: a file refused, or a failure half-way, leaves
the database as it was. Content is encrypted before it reaches the session.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from exam_server.async_mode import run_blocking
from exam_server.banks.base import ParseResult, Problem, ProgressCallback
from exam_server.banks.importer import display_name, guess_format, parse_bank, report
from exam_server.domain.items import Item, item_from_dict, item_to_dict
from exam_server.errors import BadInput, LocatedProblems, NotFound
from exam_server.services.context import ServiceContext
from exam_server.store import models

_CHUNK = 2000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


NOT_DELIVERED = "only single-answer multiple choice and true/false are delivered"


class NothingDeliverable(LocatedProblems):
    """No question of the file can be delivered: each is listed with its own reason.

    ``report`` is the import report (nothing imported, every skip and warning),
    so ``--json`` and the admin page can show it too.
    """

    def __init__(self, name: str, report: dict):
        problems = [Problem(f"{name}:{s['line']}", f"{s['item']}: {s['reason']}") for s in report["skipped"]]
        summary = f"{name}: no deliverable item found ({NOT_DELIVERED})"
        super().__init__(problems, summary=summary)
        if not problems:
            self.message = summary
        self.report = report


def item_context(bank_code: str, version: int, ordinal: int) -> str:
    return f"item:{bank_code}/{version}/{ordinal}"


def asset_context(bank_code: str, version: int, name: str) -> str:
    return f"asset:{bank_code}/{version}/{name}"


def default_bank_code(filename: str) -> str:
    stem = Path(filename).name.split(".")[0]
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "bank"
    return code[:64]


def content_hash(items: list[Item], assets: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for item in items:
        data = item_to_dict(item)
        data.pop("source")  # the same items from a renamed file are the same bank
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    for name in sorted(assets):
        digest.update(name.encode() + hashlib.sha256(assets[name]).digest())
    return digest.hexdigest()


def import_bank(
    ctx: ServiceContext,
    data: bytes,
    filename: str,
    *,
    bank_code: str | None = None,
    fmt: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> dict:
    """Import one file as a new version of a bank; the report of CONTRACT section 1."""
    code = bank_code or default_bank_code(filename)
    if not _CODE.match(code):
        raise BadInput(f"bank code {code!r}: use 1-64 letters, digits, '.', '_' or '-'")
    fmt = fmt or guess_format(data, filename)
    # Parsing a large file takes seconds of CPU: off the event loop, so a sitting in progress goes on.
    parsed = run_blocking(lambda: parse_bank(data, filename, fmt, strict=strict, progress=progress))
    if not parsed.items:
        raise NothingDeliverable(display_name(filename), _empty_report(parsed, code, fmt))
    summary = report(parsed)
    fingerprint = content_hash(parsed.items, parsed.assets)
    with ctx.db.unit_of_work() as session:
        bank = session.scalar(select(models.Bank).where(models.Bank.code == code))
        latest = _latest_version(session, bank) if bank else None
        unchanged = latest is not None and latest.content_sha256 == fingerprint
        version = latest.version if unchanged else (latest.version + 1 if latest else 1)
        result = {**summary, "bank": code, "version": version, "format": fmt,
                  "imported": len(parsed.items), "unchanged": unchanged}
        if dry_run or unchanged:
            session.rollback()
            return result
        if bank is None:
            bank = models.Bank(code=code, created_at=ctx.now())
            session.add(bank)
            session.flush()
        _store_version(ctx, session, bank, version, parsed, filename, fingerprint, result)
    return result


def _empty_report(parsed: ParseResult, code: str, fmt: str) -> dict:
    # Nothing is stored, so there is no version to name.
    return {**report(parsed), "bank": code, "version": None, "format": fmt, "imported": 0, "unchanged": False}


def _latest_version(session: Session, bank: models.Bank) -> models.BankVersion | None:
    return session.scalar(
        select(models.BankVersion).where(models.BankVersion.bank_id == bank.id).order_by(models.BankVersion.version.desc()).limit(1)
    )


def _store_version(ctx, session, bank, version, parsed, filename, fingerprint, result) -> None:
    categories = Counter(item.category for item in parsed.items)
    row = models.BankVersion(
        bank_id=bank.id, version=version, format=result["format"], source_name=Path(filename).name[:255],
        content_sha256=fingerprint, item_count=len(parsed.items),
        categories_json=json.dumps(dict(sorted(categories.items())), ensure_ascii=False),
        report_json=json.dumps(result, ensure_ascii=False), created_at=ctx.now(),
    )
    session.add(row)
    session.flush()
    # Core inserts in chunks: a 50,000-item bank stays lean in time and memory.
    for start in range(0, len(parsed.items), _CHUNK):
        session.execute(insert(models.Item), [
            {"bank_version_id": row.id, "ordinal": ordinal, "category": item.category, "option_count": len(item.options),
             "content": ctx.cipher.seal_json(item_to_dict(item), item_context(bank.code, version, ordinal))}
            for ordinal, item in enumerate(parsed.items[start:start + _CHUNK], start=start + 1)
        ])
    for name, blob in parsed.assets.items():
        session.add(models.Asset(bank_version_id=row.id, name=name,
                                 content=ctx.cipher.seal(blob, asset_context(bank.code, version, name))))


def list_banks(ctx: ServiceContext) -> list[dict]:
    with ctx.db.reading() as session:
        banks = session.scalars(select(models.Bank).order_by(models.Bank.code)).all()
        return [
            {
                "code": bank.code,
                "versions": [
                    {
                        "version": v.version, "format": v.format, "source": v.source_name,
                        "items": v.item_count, "categories": json.loads(v.categories_json),
                        "created_at": v.created_at,
                    }
                    for v in bank.versions
                ],
            }
            for bank in banks
        ]


def latest_versions(session: Session, codes: set[str]) -> dict[str, models.BankVersion]:
    """The newest version of each named bank that exists."""
    newest = (
        select(models.BankVersion.bank_id, func.max(models.BankVersion.version).label("version"))
        .group_by(models.BankVersion.bank_id).subquery()
    )
    rows = session.execute(
        select(models.Bank.code, models.BankVersion)
        .join(models.BankVersion, models.BankVersion.bank_id == models.Bank.id)
        .join(newest, (newest.c.bank_id == models.Bank.id) & (newest.c.version == models.BankVersion.version))
        .where(models.Bank.code.in_(codes))
    ).all()
    return {code: version for code, version in rows}


def category_matches(category: str | None):
    """SQL condition for a blueprint's category filter: the category itself or any below it."""
    if not category:
        return None
    return (models.Item.category == category) | models.Item.category.like(category.replace("%", r"\%").replace("_", r"\_") + "/%", escape="\\")


def read_items(ctx: ServiceContext, session: Session, item_ids) -> dict[int, Item]:
    """Decrypt the named items (for delivery, scoring keys and exports)."""
    rows = session.execute(
        select(models.Item, models.BankVersion.version, models.Bank.code)
        .join(models.BankVersion, models.Item.bank_version_id == models.BankVersion.id)
        .join(models.Bank, models.BankVersion.bank_id == models.Bank.id)
        .where(models.Item.id.in_(list(item_ids)))
    ).all()
    return {
        row.id: item_from_dict(ctx.cipher.open_json(row.content, item_context(code, version, row.ordinal)))
        for row, version, code in rows
    }


def bank_items(ctx: ServiceContext, code: str, version: int | None = None) -> tuple[list[Item], dict[str, bytes]]:
    """Every item and asset of a bank version (the newest by default), for export."""
    with ctx.db.reading() as session:
        bank = session.scalar(select(models.Bank).where(models.Bank.code == code))
        if bank is None:
            raise NotFound(f"no bank with code {code!r}")
        row = _latest_version(session, bank) if version is None else session.scalar(
            select(models.BankVersion).where(models.BankVersion.bank_id == bank.id, models.BankVersion.version == version))
        if row is None:
            raise NotFound(f"bank {code!r} has no version {version}")
        ids = session.scalars(select(models.Item.id).where(models.Item.bank_version_id == row.id).order_by(models.Item.ordinal)).all()
        items = read_items(ctx, session, ids)
        assets = {
            a.name: ctx.cipher.open(a.content, asset_context(code, row.version, a.name))
            for a in session.scalars(select(models.Asset).where(models.Asset.bank_version_id == row.id))
        }
        return [items[i] for i in ids], assets


def find_version(session, code: str, version: int) -> tuple[models.Bank, models.BankVersion]:
    """The bank with this code and its version ``version``, or NotFound."""
    row = session.execute(select(models.Bank, models.BankVersion).join(
        models.BankVersion, models.BankVersion.bank_id == models.Bank.id).where(
        models.Bank.code == code, models.BankVersion.version == version)).first()
    if row is None:
        raise NotFound(f"bank {code!r} has no version {version}")
    return row
