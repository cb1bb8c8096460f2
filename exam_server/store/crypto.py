"""Bank content at rest: AES-256-GCM, the key outside the database.

Each record is ``nonce (12 bytes) || ciphertext+tag``. The associated data binds
a ciphertext to its place (bank, version, ordinal), so rows cannot be swapped
between items without the swap being detected on decryption.
"""
from __future__ import annotations

import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from exam_server.errors import ExamError

_NONCE_BYTES = 12


class ContentCipher:
    """Seals with the first key; opens with any of them (a key rotation stopped half-way leaves two)."""

    def __init__(self, key: bytes, *older_or_newer: bytes):
        self._aeads = [AESGCM(k) for k in (key, *older_or_newer)]

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aeads[0].encrypt(nonce, zlib.compress(plaintext), context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        for aead in self._aeads:
            try:
                return zlib.decompress(aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context.encode()))
            except InvalidTag:
                continue
        raise ExamError(f"bank content for {context} cannot be decrypted: wrong bank key or altered data")

    def seal_json(self, value, context: str) -> bytes:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), context)

    def open_json(self, sealed: bytes, context: str):
        return json.loads(self.open(sealed, context))
