"""Registering exam definitions (blueprints)."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from exam_server.domain.blueprint import Blueprint, check_availability, parse_blueprint
from exam_server.errors import Conflict, NotFound
from exam_server.services.retirement import retired_ids
from exam_server.services.banks import category_matches, latest_versions
from exam_server.services.context import ServiceContext
from exam_server.store import models


def availability(session, blueprint: Blueprint):
    versions = latest_versions(session, {s.bank for s in blueprint.sections})

    def available(bank: str, category: str | None) -> int | None:
        version = versions.get(bank)
        if version is None:
            return None
        query = select(func.count()).select_from(models.Item).where(
            models.Item.bank_version_id == version.id, models.Item.id.not_in(retired_ids()))
        condition = category_matches(category)
        if condition is not None:
            query = query.where(condition)
        return session.scalar(query)

    return available


def create_exam(ctx: ServiceContext, toml_text: str, filename: str = "blueprint.toml") -> str:
    """Validate a blueprint against the banks as they are now and register it; returns its code."""
    blueprint = parse_blueprint(toml_text, filename)
    with ctx.db.unit_of_work() as session:
        check_availability(blueprint, availability(session, blueprint), filename)
        exam = session.scalar(select(models.Exam).where(models.Exam.code == blueprint.code))
        if exam is None:
            session.add(models.Exam(
                code=blueprint.code, title=blueprint.title, blueprint_toml=toml_text,
                blueprint_json=json.dumps(blueprint.to_dict(), ensure_ascii=False), created_at=ctx.now(),
            ))
            return blueprint.code
        sessions = session.scalar(select(func.count()).select_from(models.ExamSession).where(models.ExamSession.exam_id == exam.id))
        if sessions:
            raise Conflict(f"{filename}: exam {blueprint.code} already has sessions and cannot change; give the new definition another code")
        exam.title = blueprint.title
        exam.blueprint_toml = toml_text
        exam.blueprint_json = json.dumps(blueprint.to_dict(), ensure_ascii=False)
    return blueprint.code


def load_blueprint(exam: models.Exam) -> Blueprint:
    return Blueprint.from_dict(json.loads(exam.blueprint_json))


def find_exam(session, code: str) -> models.Exam:
    exam = session.scalar(select(models.Exam).where(models.Exam.code == code))
    if exam is None:
        raise NotFound(f"no exam with code {code!r}")
    return exam


def list_exams(ctx: ServiceContext) -> list[dict]:
    with ctx.db.reading() as session:
        return [
            {"code": e.code, "title": e.title, "blueprint": json.loads(e.blueprint_json), "toml": e.blueprint_toml}
            for e in session.scalars(select(models.Exam).order_by(models.Exam.code))
        ]
