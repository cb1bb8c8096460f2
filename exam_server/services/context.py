"""What every use case needs, built once per process from the settings."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from exam_server.clock import Clock, SystemClock
from exam_server.config import Settings
from exam_server.security import keys
from exam_server.security.passwords import PasswordKey
from exam_server.security.tokens import TokenSigner
from exam_server.services.answer_writer import AnswerWriter
from exam_server.services.group_rows import preload_group
from exam_server.store.crypto import ContentCipher
from exam_server.store.db import Database


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    clock: Clock
    _cipher: ContentCipher | None = field(default=None, repr=False)
    _tokens: TokenSigner | None = field(default=None, repr=False)
    _password_key: PasswordKey | None = field(default=None, repr=False)
    # Decrypted items and scoring keys, shared by all attempts of this process.
    item_cache: dict = field(default_factory=dict, repr=False)
    key_cache: dict = field(default_factory=dict, repr=False)
    blueprint_cache: dict = field(default_factory=dict, repr=False)  # by session id
    # Forms as delivered, by attempt id (started attempts only), and the texts they share (services.delivered_forms).
    form_cache: dict = field(default_factory=dict, repr=False)
    item_text_cache: dict = field(default_factory=dict, repr=False)
    option_cache: dict = field(default_factory=dict, repr=False)
    # Bank pictures as data: URLs by asset name (services.bank_images).
    asset_cache: dict = field(default_factory=dict, repr=False)
    # Safe Exam Browser keys by session token, each with the monotonic time it expires.
    seb_keys_cache: dict = field(default_factory=dict, repr=False)
    # The audit anchor keys, read on first use (services.anchoring); False: not read yet.
    anchor_keys: object = field(default=False, repr=False)
    # attempt id -> (event number, head hash) this process signed last: anchors removed later are noticed.
    anchor_heads: dict = field(default_factory=dict, repr=False)
    # At a hub, what never changes once created: each session's site, each attempt's candidate (sites.memory).
    hub_memory: dict = field(default_factory=dict, repr=False)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> ServiceContext:
        return cls(settings=settings, db=Database(settings), clock=clock or SystemClock())

    @property
    def cipher(self) -> ContentCipher:
        # Read on first use, so commands that never touch bank content
        # (init before the key exists, add-user) do not need the key.
        if self._cipher is None:
            self._cipher = ContentCipher(*keys.bank_keys(self.settings))
        return self._cipher

    @property
    def tokens(self) -> TokenSigner:
        if self._tokens is None:
            self._tokens = TokenSigner(
                keys.secret_key(self.settings),
                staff_max_age_s=self.settings.staff_token_hours * 3600,
            )
        return self._tokens

    @property
    def password_key(self) -> PasswordKey:
        # Read once: every candidate login checks a generated password against it.
        if self._password_key is None:
            self._password_key = keys.password_key(self.settings)
        return self._password_key

    # Every candidate write goes through this writer. Until a serving process attaches its
    # grouping writer (Runtime.start), one that stores each write at once by the same code.
    writer: AnswerWriter | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.writer is None:
            self.writer = AnswerWriter(self.db, batch_ms=0, sleep=time.sleep, prepare=preload_group)

    def write(self, work: Callable[[Any], Any], *, touches: tuple | None = None, label: str | None = None) -> Any:
        """Run ``work(session)`` through the writer, committed when it returns: grouped where a writer runs.

        Grouping keeps frequent small writes (answers, connects, starts, reports)
        from each costing a disk sync on the event loop. ``touches`` (attempt id,
        position) names the rows to read for the whole group at once; ``label``
        names the use case for the writer's observer (metrics, alerts). ``work``
        must raise any refusal before it changes anything, and must not call
        ``write`` itself.
        """
        return self.writer.perform(work, touches=touches, label=label)

    def now(self) -> int:
        return self.clock.now_ms()

    def close(self) -> None:
        self.db.dispose()
