"""Two kinds of password hash: Argon2id for chosen passwords, a keyed hash for generated ones."""
from __future__ import annotations

import secrets

import pytest

from exam_server.security.passwords import (
    GENERATED_BITS, KEYED_PREFIX, PasswordKey, generate_password, hash_generated, hash_password, verify_password,
)

KEY = PasswordKey.of(secrets.token_bytes(32))


def test_a_generated_password_has_at_least_60_random_bits():
    assert GENERATED_BITS >= 60
    drawn = {generate_password() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(p) == 13 and p.isalnum() and p.islower() for p in drawn)


def test_a_generated_password_verifies_and_a_wrong_one_does_not():
    password = generate_password()
    stored = hash_generated(password, KEY)
    assert stored.startswith(KEYED_PREFIX + KEY.key_id + "$")
    assert password not in stored
    assert verify_password(stored, password, KEY)
    assert not verify_password(stored, password[:-1], KEY)
    assert not verify_password(stored, password + "x", KEY)
    assert not verify_password(stored, password.upper(), KEY)


def test_a_keyed_hash_needs_the_key_it_was_made_with():
    password = generate_password()
    stored = hash_generated(password, KEY)
    other = PasswordKey.of(secrets.token_bytes(32))
    assert not verify_password(stored, password, other)
    assert not verify_password(stored, password, None)
    # The same id with another secret (a forged id) is refused by the MAC itself.
    assert not verify_password(stored, password, PasswordKey(KEY.key_id, other.secret))


def test_a_tampered_keyed_hash_does_not_verify():
    password = generate_password()
    stored = hash_generated(password, KEY)
    flipped = stored[:-1] + ("0" if stored[-1] != "0" else "1")
    assert not verify_password(flipped, password, KEY)
    assert not verify_password(KEYED_PREFIX + KEY.key_id + "$", password, KEY)
    assert not verify_password(KEYED_PREFIX, password, KEY)


@pytest.mark.parametrize("staff", [False, True])
def test_chosen_and_staff_passwords_keep_argon2id_and_verify_by_their_prefix(staff):
    stored = hash_password("sandi-pilihan-1", staff=staff)
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "sandi-pilihan-1", KEY)
    assert verify_password(stored, "sandi-pilihan-1")  # Argon2 needs no key
    assert not verify_password(stored, "sandi-pilihan-2", KEY)


def test_staff_hashes_are_slower_than_a_candidates_chosen_password():
    assert "m=65536" in hash_password("x", staff=True) and "m=8192,t=1" in hash_password("x")


def test_garbage_in_the_database_verifies_nothing():
    for stored in ("", "plain-text", "$argon2id$broken", "hmac-sha1$abc$def"):
        assert not verify_password(stored, "plain-text", KEY)


def test_the_key_prints_without_its_secret():
    assert KEY.secret.hex() not in repr(KEY) and KEY.key_id in repr(KEY)


def test_the_key_is_made_once_in_the_data_folder_or_given_in_the_environment(tmp_path):
    import base64
    import stat

    from exam_server.config import load_settings
    from exam_server.errors import ConfigError
    from exam_server.security import keys

    settings = load_settings({"data_dir": tmp_path}, environ={})
    first = keys.password_key(settings)  # a data folder without one gets it on first use
    assert stat.S_IMODE((tmp_path / "password.key").stat().st_mode) == 0o600
    assert keys.password_key(settings) == first and not keys.ensure_password_key(settings)
    given = base64.b64encode(b"k" * 32).decode()
    from_env = keys.password_key(load_settings({"data_dir": tmp_path}, environ={"EXAM_PASSWORD_KEY": given}))
    assert from_env == PasswordKey.of(b"k" * 32) != first
    with pytest.raises(ConfigError, match="password key"):
        keys.password_key(load_settings({"data_dir": tmp_path}, environ={"EXAM_PASSWORD_KEY": "c2hvcnQ="}))
