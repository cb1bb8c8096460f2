"""The tables the whole system lives with.

Times are integer milliseconds since the Unix epoch: exact, the same on SQLite
and PostgreSQL, and what the clock in ``domain.timing`` computes with.
Bank content (stems, options, weights, feedback, images) is held only as
AES-GCM ciphertext; see ``store.crypto``.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true as sa_true

# Set before the first migration so every constraint has a stable name that
# later migrations can refer to on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Millis = BigInteger


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(Millis)

    versions: Mapped[list[BankVersion]] = relationship(back_populates="bank", order_by="BankVersion.version")


class BankVersion(Base):
    __tablename__ = "bank_versions"
    __table_args__ = (UniqueConstraint("bank_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    version: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(255))
    # Hash of the items as imported: an identical import is recognised whatever the file name.
    content_sha256: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int] = mapped_column(Integer)
    categories_json: Mapped[str] = mapped_column(Text)  # {"category": count}
    report_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Millis)

    bank: Mapped[Bank] = relationship(back_populates="versions")


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("bank_version_id", "ordinal"),
        Index("ix_items_version_category", "bank_version_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_versions.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # order in the source file
    category: Mapped[str] = mapped_column(String(255))
    option_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted JSON


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("bank_version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_versions.id"))
    name: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted bytes


class Exam(Base):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    blueprint_json: Mapped[str] = mapped_column(Text)
    blueprint_toml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Millis)


class ExamSession(Base):
    __tablename__ = "exam_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    name: Mapped[str] = mapped_column(String(255))
    hall: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the room (ruang) it sits in, if named
    token: Mapped[str] = mapped_column(String(32), unique=True)  # the PIN the proctor hands out
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    # The proctor's cut-off: no new logins, while those already in go on.
    logins_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    bank_versions_json: Mapped[str] = mapped_column(Text)  # {"bank code": bank_version_id}
    created_at: Mapped[int] = mapped_column(Millis)
    closed_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    published_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    # Sites and a hub (exam_server.sites): the site where the sitting takes place, at the hub and at that site.
    site_code: Mapped[str | None] = mapped_column(String(64), nullable=True)

    exam: Mapped[Exam] = relationship()


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | proctor
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every staff token: logging out raises it, which ends every token issued before.
    token_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[int] = mapped_column(Millis)


class SessionProctor(Base):
    __tablename__ = "session_proctors"

    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("session_id", "participant_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"))
    participant_number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    nip: Mapped[str] = mapped_column(String(32), default="")
    seat: Mapped[str] = mapped_column(String(32), default="")
    password_hash: Mapped[str] = mapped_column(String(255))


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    # Drawn when the session opens. Deferred: a process reads it once per attempt (for the
    # scoring key), while answers and the proctors' feed load attempts many times a second.
    form_json: Mapped[str] = mapped_column(Text, deferred=True)
    status: Mapped[str] = mapped_column(String(24), default="not_started")
    # The clock (see domain.timing.AttemptClock).
    duration_ms: Mapped[int] = mapped_column(Millis)
    started_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    extension_ms: Mapped[int] = mapped_column(Millis, default=0)
    paused_ms: Mapped[int] = mapped_column(Millis, default=0)
    paused_since: Mapped[int | None] = mapped_column(Millis, nullable=True)
    # Denormalised from the clock so the deadline sweep is one indexed query.
    deadline_at: Mapped[int | None] = mapped_column(Millis, nullable=True, index=True)
    ended_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    # Connection state: a login generation makes old tokens useless after reset_login.
    login_generation: Mapped[int] = mapped_column(Integer, default=0)
    connected_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    connected_node: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_seen_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    # Running figures, updated with every answer in the same transaction.
    section_points_json: Mapped[str] = mapped_column(Text, default="[]")
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    flagged_count: Mapped[int] = mapped_column(Integer, default=0)
    violations: Mapped[int] = mapped_column(Integer, default=0)
    # Head of the attempt's event hash chain (see AttemptEvent).
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str] = mapped_column(String(64), default="")
    # The newest anchor (see AttemptAnchor): which checkpoint is due. A hint only, never trusted by the audit.
    anchored_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    anchored_at: Mapped[int | None] = mapped_column(Millis, nullable=True)

    candidate: Mapped[Candidate] = relationship()


class Response(Base):
    """The current answer of one position; the history is in ``AttemptEvent``."""

    __tablename__ = "responses"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    choice: Mapped[str | None] = mapped_column(String(4), nullable=True)  # display key, or None for blank
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    points: Mapped[str] = mapped_column(String(32), default="0")  # exact Decimal as text
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[int | None] = mapped_column(Millis, nullable=True)


class AttemptEvent(Base):
    """Append-only log of everything that happened to an attempt, hash-chained."""

    __tablename__ = "attempt_events"
    __table_args__ = (UniqueConstraint("attempt_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the attempt
    at: Mapped[int] = mapped_column(Millis)
    kind: Mapped[str] = mapped_column(String(24))  # answer | flag | report | start | control | end ...
    data_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AttemptAnchor(Base):
    """The head of an attempt's event chain and its running score, signed with the anchor key."""

    __tablename__ = "attempt_anchors"
    __table_args__ = (Index("ix_attempt_anchors_attempt_number", "attempt_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    number: Mapped[int] = mapped_column(Integer)  # events 1..number are covered
    head_hash: Mapped[str] = mapped_column(String(64))
    points_json: Mapped[str] = mapped_column(Text)  # section_points_json as it was
    form_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))  # checkpoint | end
    at: Mapped[int] = mapped_column(Millis)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """Staff actions: who did what, when, from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[int] = mapped_column(Millis)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class Result(Base):
    __tablename__ = "results"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, public
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    document_json: Mapped[str] = mapped_column(Text)  # CONTRACT section 5, without signature
    signature: Mapped[str | None] = mapped_column(String(128), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[int | None] = mapped_column(Millis, nullable=True)


class Alert(Base):
    """An irregularity raised to the proctors, kept for the session's minutes (berita acara)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), nullable=True)
    at: Mapped[int] = mapped_column(Millis)
    type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))  # candidate | environment | technical | staff
    detail: Mapped[str] = mapped_column(Text, default="")


class ServerClock(Base):
    """One row: the last moment any node of the server was known alive.

    After an outage of the whole server, the time between that moment and the
    restart is given back to every running attempt.
    """

    __tablename__ = "server_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_alive_at: Mapped[int] = mapped_column(Millis)


class Site(Base):
    """At the hub: a site that may link to it, with its enrolled key and the link's position."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    enrollment_hash: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the one-time code
    enrollment_expires_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    public_key: Mapped[str] = mapped_column(String(64), default="")  # Ed25519, hex; empty until enrolled
    revoked_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    last_nonce: Mapped[int] = mapped_column(BigInteger, default=0)  # highest message nonce accepted
    acked_position: Mapped[int] = mapped_column(BigInteger, default=0)  # outbox positions applied
    backlog: Mapped[int] = mapped_column(BigInteger, default=0)  # what the site said it still holds
    last_seen_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    last_event_at: Mapped[int | None] = mapped_column(Millis, nullable=True)  # site time of the last event applied
    created_at: Mapped[int] = mapped_column(Millis)
    alert_position: Mapped[int] = mapped_column(BigInteger, default=0)  # the site's alert ids taken (sites.site_alerts)


class SiteCommand(Base):
    """At the hub: a proctor's control on a site's session, carried out by the site before it expires."""

    __tablename__ = "site_commands"
    __table_args__ = (Index("ix_site_commands_site_state", "site_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    action: Mapped[str] = mapped_column(String(32))
    body_json: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[int] = mapped_column(Millis)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | done | failed | expired
    outcome_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[int] = mapped_column(Millis)


class SiteResult(Base):
    """At the hub: a site's own result of an attempt, next to the hub's recomputation of it."""

    __tablename__ = "site_results"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    document_json: Mapped[str] = mapped_column(Text)
    mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_at: Mapped[int | None] = mapped_column(Millis, nullable=True)


class SitePresence(Base):
    """At the hub: whether a site's candidate has a live kiosk connection at the site, as the site last said."""

    __tablename__ = "site_presence"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[int] = mapped_column(Millis)  # hub time of the last change: "last heard" once it drops


class LinkState(Base):
    """At a site: one row, the hub it is enrolled with and where the link stands."""

    __tablename__ = "link_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_code: Mapped[str] = mapped_column(String(64))
    hub_url: Mapped[str] = mapped_column(String(512))
    acked_position: Mapped[int] = mapped_column(BigInteger, default=0)
    last_nonce: Mapped[int] = mapped_column(BigInteger, default=0)
    last_ok_at: Mapped[int | None] = mapped_column(Millis, nullable=True)


class OutboxEvent(Base):
    """At a site: every attempt event, written in the same transaction as the event, sent to the hub in order."""

    __tablename__ = "site_outbox"

    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                          autoincrement=True)
    attempt_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(Millis)
    kind: Mapped[str] = mapped_column(String(24))
    data_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    state_json: Mapped[str] = mapped_column(Text)  # the attempt's clock and status after the event


class SessionSeal(Base):
    """At the hub: the key that seals a site's session, its release code (both encrypted), and its opening."""

    __tablename__ = "session_seals"

    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), primary_key=True)
    key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    code_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_json: Mapped[str] = mapped_column(Text)  # the key under the release code (sites.sealing.wrap)
    opened_at: Mapped[int | None] = mapped_column(Millis, nullable=True)  # released by the hub
    site_opened_at: Mapped[int | None] = mapped_column(Millis, nullable=True)  # the site says it opened it
    site_opened_how: Mapped[str] = mapped_column(String(16), default="")


class SealedSession(Base):
    """At a site: a session as pulled, sealed; its content is applied only when it is opened."""

    __tablename__ = "sealed_sessions"

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_json: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    opened_how: Mapped[str] = mapped_column(String(16), default="")  # link | code
    reported: Mapped[bool] = mapped_column(Boolean, default=False)  # the hub knows it is open
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong release codes in a row
    locked_until: Mapped[int | None] = mapped_column(Millis, nullable=True)


class ItemRetirement(Base):
    """An item taken out of future draws of its bank version; forms already drawn keep it."""

    __tablename__ = "item_retirements"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    at: Mapped[int] = mapped_column(Millis)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)


class ItemCorrection(Base):
    """A key, weight or annulment correction of one item for one session; the newest is in force."""

    __tablename__ = "item_corrections"
    __table_args__ = (Index("ix_item_corrections_session_item", "session_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    at: Mapped[int] = mapped_column(Millis)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(16))  # key | weights | annul
    # domain.correction.ItemState as now in force: weights are bank content, so encrypted like it.
    state: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    changes_json: Mapped[str] = mapped_column(Text, default="[]")  # the results it changed


class ResultRevision(Base):
    """A signed result replaced by a correction: kept as it was signed, so it still verifies, as superseded."""

    __tablename__ = "result_revisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the replaced revision's result_id
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    document_json: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[int | None] = mapped_column(Millis, nullable=True)
    superseded_at: Mapped[int] = mapped_column(Millis)
    superseded_by: Mapped[str] = mapped_column(String(36))  # the next revision's result_id
    correction_id: Mapped[int] = mapped_column(ForeignKey("item_corrections.id"))
