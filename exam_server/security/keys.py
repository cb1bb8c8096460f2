"""Keys kept in the data folder, never in the database.

``init`` creates them once; later runs read them. A key given in the
environment (EXAM_BANK_KEY, EXAM_SECRET_KEY) wins over the file.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exam_server.config import Settings
from exam_server.errors import ConfigError
from exam_server.security.passwords import PasswordKey

BANK_KEY_FILE = "bank.key"
SECRET_KEY_FILE = "secret.key"
PASSWORD_KEY_FILE = "password.key"  # keys the hashes of generated candidate passwords (security.passwords)
SIGNING_DIR = "signing-keys"
# Apart from the result key: every serving node needs this one at all times, the result key only `publish`.
ANCHOR_DIR = "anchor-keys"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def ensure_keys(settings: Settings) -> list[str]:
    """Create whichever keys are missing; returns what was created."""
    created = []
    data = settings.data_dir
    if not settings.bank_key and not (data / BANK_KEY_FILE).exists():
        _write_private(data / BANK_KEY_FILE, base64.b64encode(secrets.token_bytes(32)) + b"\n")
        created.append(BANK_KEY_FILE)
    if not settings.secret_key and not (data / SECRET_KEY_FILE).exists():
        _write_private(data / SECRET_KEY_FILE, secrets.token_urlsafe(48).encode() + b"\n")
        created.append(SECRET_KEY_FILE)
    if ensure_password_key(settings):
        created.append(PASSWORD_KEY_FILE)
    if not list((data / SIGNING_DIR).glob("*.pem")):
        created.append(rotate_signing_key(settings).key_id)
    if not list((data / ANCHOR_DIR).glob("*.pem")):
        created.append(f"{ANCHOR_DIR}/{_new_key(settings, ANCHOR_DIR).key_id}")
    return created


def _read(settings: Settings, filename: str, what: str) -> str:
    path = settings.data_dir / filename
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found at {path}: run 'exam-server init --data {settings.data_dir}' first") from None


NEXT_BANK_KEY_FILE = "bank.key.next"
RETIRED_DIR = "retired-keys"


def _decode_key(encoded: str, where: str, what: str = "the bank encryption key") -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ConfigError(f"{where}: {what} is not valid base64") from None
    if len(key) != 32:
        raise ConfigError(f"{where}: {what} must be 32 bytes (base64 of 32 random bytes)")
    return key


def bank_key(settings: Settings) -> bytes:
    encoded = settings.bank_key or _read(settings, BANK_KEY_FILE, "the bank encryption key")
    return _decode_key(encoded, "EXAM_BANK_KEY" if settings.bank_key else BANK_KEY_FILE)


def bank_keys(settings: Settings) -> list[bytes]:
    """The key to seal with first, then any key a rotation interrupted half-way may have used."""
    keys = [bank_key(settings)]
    pending = settings.data_dir / NEXT_BANK_KEY_FILE
    if pending.exists():
        keys.append(_decode_key(pending.read_text().strip(), NEXT_BANK_KEY_FILE))
    return keys


def begin_bank_key_rotation(settings: Settings) -> bytes:
    """Write the next key beside the current one (durably) before any row is sealed with it."""
    if settings.bank_key:
        raise ConfigError("the bank key comes from EXAM_BANK_KEY: rotate it where it is kept, not in the data folder")
    pending = settings.data_dir / NEXT_BANK_KEY_FILE
    if pending.exists():
        return _decode_key(pending.read_text().strip(), NEXT_BANK_KEY_FILE)  # finish an interrupted rotation
    key = secrets.token_bytes(32)
    _write_private(pending, base64.b64encode(key) + b"\n")
    return key


def finish_bank_key_rotation(settings: Settings, stamp: str) -> Path:
    """The next key becomes the key; the old one moves to retired-keys/ (for restoring old backups)."""
    data = settings.data_dir
    retired = data / RETIRED_DIR / f"bank.key.{stamp}"
    retired.parent.mkdir(mode=0o700, exist_ok=True)
    os.replace(data / BANK_KEY_FILE, retired)
    os.replace(data / NEXT_BANK_KEY_FILE, data / BANK_KEY_FILE)
    return retired


def secret_key(settings: Settings) -> str:
    return settings.secret_key or _read(settings, SECRET_KEY_FILE, "the secret key")


def ensure_password_key(settings: Settings) -> bool:
    """Create the password key if there is none; True when this call made it."""
    path = settings.data_dir / PASSWORD_KEY_FILE
    if settings.password_key or path.exists():
        return False
    try:
        _write_private(path, base64.b64encode(secrets.token_bytes(32)) + b"\n")
    except FileExistsError:
        return False  # another process of this data folder made it first: use theirs
    return True


def password_key(settings: Settings) -> PasswordKey:
    """The key of generated passwords' hashes; a data folder older than it gets one on first use."""
    if settings.password_key:
        return PasswordKey.of(_decode_key(settings.password_key, "EXAM_PASSWORD_KEY", "the password key"))
    ensure_password_key(settings)
    encoded = _read(settings, PASSWORD_KEY_FILE, "the password key")
    return PasswordKey.of(_decode_key(encoded, PASSWORD_KEY_FILE, "the password key"))


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private: Ed25519PrivateKey | None

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _new_key(settings: Settings, folder: str) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    key_id = key_id_of(private.public_key())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    directory = settings.data_dir / folder
    _write_private(directory / f"{key_id}.pem", pem)
    (directory / "current").write_text(key_id + "\n")
    return SigningKey(key_id, private)


def rotate_signing_key(settings: Settings) -> SigningKey:
    """A new result signing key becomes the current one; old ones stay for verifying."""
    return _new_key(settings, SIGNING_DIR)


def _keys_in(settings: Settings, folder: str) -> dict[str, SigningKey]:
    keys = {}
    for path in sorted((settings.data_dir / folder).glob("*.pem")):
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        keys[path.stem] = SigningKey(path.stem, private)
    return keys


def _current_in(settings: Settings, folder: str, what: str) -> SigningKey:
    key_id = _read(settings, f"{folder}/current", what)
    try:
        return _keys_in(settings, folder)[key_id]
    except KeyError:
        raise ConfigError(f"{what} {key_id} named as current is missing in {settings.data_dir / folder}") from None


def signing_keys(settings: Settings) -> dict[str, SigningKey]:
    return _keys_in(settings, SIGNING_DIR)


def current_signing_key(settings: Settings) -> SigningKey:
    return _current_in(settings, SIGNING_DIR, "the result signing key")


def rotate_anchor_key(settings: Settings) -> SigningKey:
    """A new anchor key becomes the current one (for servers started after); old ones stay for verifying."""
    return _new_key(settings, ANCHOR_DIR)


def anchor_keys(settings: Settings) -> dict[str, SigningKey]:
    """The keys that sign the heads of attempt event chains (old ones kept for verifying)."""
    return _keys_in(settings, ANCHOR_DIR)


def current_anchor_key(settings: Settings) -> SigningKey:
    return _current_in(settings, ANCHOR_DIR, "the audit anchor key")
