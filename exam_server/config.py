"""Settings: defaults, then the data folder's config.toml, then the environment, then explicit values.

Every source is checked against the one schema below, so an unknown or
malformed setting stops the server at start with a message naming it, instead
of being ignored.
"""
from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from exam_server.errors import ConfigError

ASYNC_MODES = ("eventlet", "gevent", "threading")
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("instance")
    database_url: str = ""  # empty: SQLite file exam.db in data_dir
    redis_url: str = ""  # empty: one node, no message queue
    redis_channel: str = "exam-server"  # nodes of one deployment share it; another deployment on the same Redis must not
    secret_key: str = ""  # empty: read from data_dir/secret.key
    bank_key: str = ""  # base64 AES key; empty: read from data_dir/bank.key
    password_key: str = ""  # base64 of 32 bytes; empty: read from data_dir/password.key
    async_mode: str = "eventlet"
    sqlite_synchronous: str = "FULL"
    host: str = "127.0.0.1"
    port: int = 5000
    proxy_hops: int = 0  # reverse proxies in front (nginx: 1) whose X-Forwarded-* headers are trusted
    public_url: str = ""  # how candidates reach the server, for printed cards and QR codes
    node_name: str = ""  # names this process in logs and connection records
    answer_batch_ms: int = 4  # how long the answer writer gathers answers into one commit
    postgres_writer: str = "thread"  # thread: the writer's groups in an OS thread of their own; loop: in the event loop
    write_timeout_seconds: float = 30.0  # a write waiting longer for the writer is refused as busy (503, ack busy)
    disconnect_alert_seconds: int = 60
    idle_alert_minutes: int = 10  # a connected candidate doing nothing while the clock runs
    max_pause_minutes: int = 0  # 0: a paused attempt waits for the proctor however long; else it ends
    burst_answers: int = 30  # more answers than this within 10 s is raised as a burst
    socket_event_budget_scale: float = 1.0  # multiplies every connection's event budget (load tests)
    staff_token_hours: int = 12
    login_attempts_per_minute: int = 10
    anchor_seconds: int = 60  # an attempt's chain head is signed at most this often while it changes
    staged_file_seconds: int = 3600  # a staged bank upload or a one-time download is deleted after this
    login_lock_max_seconds: int = 900  # the longest lock after repeated failures
    login_lock_known_max_seconds: int = 120  # the same for a key that has signed in before
    login_guard_max_keys: int = 20_000  # sign-in keys one process remembers (without Redis)
    login_forget_seconds: int = 86_400  # a key's failures are forgotten after this long without a try
    request_timeout_seconds: int = 30  # a connection silent this long (no complete request) is closed
    socket_ping_seconds: int = 10  # the server pings each websocket this often, so an idle one is never silent
    outbox_keep_minutes: int = 1440  # at a site: events the hub acknowledged stay in the outbox this long
    # The office whose papers these are (docs/configuration.md): the letterhead, the zone of its
    # clock (WIB, WITA or WIT) and the officials who sign results and minutes.
    office_zone: str = "WIB"
    office_name: str = ""
    office_address: str = ""
    office_logo: str = ""  # a PNG or JPEG, a path inside data_dir
    signatories: tuple = ()  # (name, title, nip) each; only config.toml can list them

    @property
    def resolved_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'exam.db').resolve()}"
        # psycopg2 is the driver that cooperates with eventlet and gevent (via psycogreen);
        # SQLAlchemy 2.1 would otherwise pick psycopg 3 for a plain postgresql:// URL.
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg2://" + url[len(plain):]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


# Environment variables, each naming the setting it fills.
_ENVIRONMENT = {
    "EXAM_DATA_DIR": "data_dir",
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "EXAM_REDIS_CHANNEL": "redis_channel",
    "EXAM_SECRET_KEY": "secret_key",
    "EXAM_BANK_KEY": "bank_key",
    "EXAM_PASSWORD_KEY": "password_key",
    "EXAM_ASYNC_MODE": "async_mode",
    "EXAM_SQLITE_SYNCHRONOUS": "sqlite_synchronous",
    "EXAM_HOST": "host",
    "EXAM_PORT": "port",
    "EXAM_PUBLIC_URL": "public_url",
    "EXAM_PROXY_HOPS": "proxy_hops",
    "EXAM_NODE_NAME": "node_name",
    "EXAM_ANSWER_BATCH_MS": "answer_batch_ms",
    "EXAM_WRITE_TIMEOUT_SECONDS": "write_timeout_seconds",
    "EXAM_POSTGRES_WRITER": "postgres_writer",
    "EXAM_DISCONNECT_ALERT_SECONDS": "disconnect_alert_seconds",
    "EXAM_IDLE_ALERT_MINUTES": "idle_alert_minutes",
    "EXAM_MAX_PAUSE_MINUTES": "max_pause_minutes",
    "EXAM_BURST_ANSWERS": "burst_answers",
    "EXAM_STAFF_TOKEN_HOURS": "staff_token_hours",
    "EXAM_SOCKET_EVENT_BUDGET_SCALE": "socket_event_budget_scale",
    "EXAM_LOGIN_ATTEMPTS_PER_MINUTE": "login_attempts_per_minute",
    "EXAM_ANCHOR_SECONDS": "anchor_seconds",
    "EXAM_STAGED_FILE_SECONDS": "staged_file_seconds",
    "EXAM_LOGIN_LOCK_MAX_SECONDS": "login_lock_max_seconds",
    "EXAM_LOGIN_LOCK_KNOWN_MAX_SECONDS": "login_lock_known_max_seconds",
    "EXAM_LOGIN_GUARD_MAX_KEYS": "login_guard_max_keys",
    "EXAM_LOGIN_FORGET_SECONDS": "login_forget_seconds",
    "EXAM_REQUEST_TIMEOUT_SECONDS": "request_timeout_seconds",
    "EXAM_SOCKET_PING_SECONDS": "socket_ping_seconds",
    "EXAM_OUTBOX_KEEP_MINUTES": "outbox_keep_minutes",
    "EXAM_OFFICE_ZONE": "office_zone",
    "EXAM_OFFICE_NAME": "office_name",
    "EXAM_OFFICE_ADDRESS": "office_address",
    "EXAM_OFFICE_LOGO": "office_logo",
}
# Variables with our prefix that are read elsewhere and are not settings.
_OTHER_KNOWN = {"EXAM_BIND", "EXAM_SHARED_DIR", "EXAM_TEST_POSTGRES_URL", "EXAM_TEST_REDIS_URL", "EXAM_CHROMIUM"}

_FIELDS = {f.name: f for f in fields(Settings)}


def _convert(name: str, value: Any, source: str) -> Any:
    kind = _FIELDS[name].type
    try:
        if kind == "Path":
            return Path(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name} must be a {'whole ' if kind == 'int' else ''}number, got {value!r}") from None
    if kind == "tuple":
        return _signatories(value, source)
    if kind == "str" and not isinstance(value, str):
        raise ConfigError(f"{source}: {name} must be text, got {value!r}")
    return value


_SIGNATORY_KEYS = ("name", "title", "nip")


def _signatories(value: Any, source: str) -> tuple:
    """[[signatories]] tables of config.toml: each names an official with a title (jabatan) and NIP."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{source}: signatories must be a list of tables ([[signatories]] with name, title, nip)")
    for index, entry in enumerate(value, start=1):
        extra = set(entry) - set(_SIGNATORY_KEYS)
        if extra or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"{source}: signatory {index} needs a name and may have title and nip only")
        if not all(isinstance(entry.get(k, ""), str) for k in _SIGNATORY_KEYS):
            raise ConfigError(f"{source}: signatory {index}: name, title and nip must be text")
    # Tuples, not dicts: settings stay hashable.
    return tuple(tuple(entry.get(k, "").strip() for k in _SIGNATORY_KEYS) for entry in value)


def _unknown(name: str, source: str, known) -> ConfigError:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ConfigError(f"{source}: unknown setting {name!r}{hint}")


def _from_file(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "config.toml"
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    values = {}
    for name, value in raw.items():
        if name not in _FIELDS or name == "data_dir":
            raise _unknown(name, str(path), set(_FIELDS) - {"data_dir"})
        values[name] = _convert(name, value, str(path))
    return values


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values = {}
    for variable, value in environ.items():
        if variable in _ENVIRONMENT:
            name = _ENVIRONMENT[variable]
            values[name] = _convert(name, value, f"environment variable {variable}")
        elif variable.startswith("EXAM_") and variable not in _OTHER_KNOWN:
            raise _unknown(variable, "environment", set(_ENVIRONMENT) | _OTHER_KNOWN)
    return values


def _validate(settings: Settings) -> Settings:
    if settings.async_mode not in ASYNC_MODES:
        raise ConfigError(f"async_mode must be one of {', '.join(ASYNC_MODES)}, got {settings.async_mode!r}")
    synchronous = settings.sqlite_synchronous.upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ConfigError(f"sqlite_synchronous must be FULL or NORMAL, got {settings.sqlite_synchronous!r}")
    url = settings.database_url
    if url and not url.startswith(("sqlite", "postgresql", "postgres://")):
        raise ConfigError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, got {url.split(':', 1)[0]}://...")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
    if settings.anchor_seconds < 1:
        raise ConfigError(f"anchor_seconds must be 1 or more, got {settings.anchor_seconds}")
    if settings.staged_file_seconds < 1:
        raise ConfigError(f"staged_file_seconds must be at least 1, got {settings.staged_file_seconds}")
    for name in ("login_guard_max_keys", "login_forget_seconds", "request_timeout_seconds"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name} must be at least 1, got {getattr(settings, name)}")
    if not 1 <= settings.socket_ping_seconds <= 60:
        raise ConfigError(f"socket_ping_seconds must be between 1 and 60, got {settings.socket_ping_seconds}")
    if settings.postgres_writer not in ("thread", "loop"):
        raise ConfigError(f"postgres_writer must be thread or loop, got {settings.postgres_writer!r}")
    if not 0 < settings.write_timeout_seconds <= 600:
        raise ConfigError(f"write_timeout_seconds must be more than 0 and at most 600, got {settings.write_timeout_seconds}")
    if settings.outbox_keep_minutes < 0:
        raise ConfigError(f"outbox_keep_minutes must be 0 or more, got {settings.outbox_keep_minutes}")
    from exam_server.i18n.formatting import ZONES

    if settings.office_zone not in ZONES:
        raise ConfigError(f"office_zone must be one of {', '.join(ZONES)}, got {settings.office_zone!r}")
    if settings.office_logo and (Path(settings.office_logo).is_absolute() or ".." in Path(settings.office_logo).parts):
        raise ConfigError(f"office_logo must be a path inside the data folder, got {settings.office_logo!r}")
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"public_url must start with http:// or https://, got {settings.public_url!r}")
    if not 0 < settings.port < 65536:
        raise ConfigError(f"port must be between 1 and 65535, got {settings.port}")
    return replace(settings, sqlite_synchronous=synchronous)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from every source, later ones winning: defaults, config.toml, environment, overrides."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    for name in overrides:
        if name not in _FIELDS:
            raise _unknown(name, "configuration", _FIELDS)
    from_env = _from_environment(environ)
    data_dir = Path(overrides.get("data_dir") or from_env.get("data_dir") or Settings.data_dir)
    values: dict[str, Any] = {"data_dir": data_dir}
    values.update(_from_file(data_dir))
    values.update(from_env)
    values.update({k: _convert(k, v, "configuration") for k, v in overrides.items()})
    values["data_dir"] = data_dir
    return _validate(Settings(**values))
