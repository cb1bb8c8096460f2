"""Safe Exam Browser request checks.

SEB sends ``X-SafeExamBrowser-ConfigKeyHash``: SHA-256 (hex) of the full
request URL followed by the Config Key of the configuration it runs with. An
exam that lists Config Keys accepts only requests from a SEB running one of them.
"""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-SafeExamBrowser-ConfigKeyHash"


def expected_hash(url: str, config_key: str) -> str:
    return hashlib.sha256((url + config_key.lower()).encode()).hexdigest()


def request_allowed(url: str, header_value: str | None, config_keys) -> bool:
    """True when the exam needs no SEB, or the header matches one of its keys for this URL."""
    keys = tuple(config_keys or ())
    if not keys:
        return True
    if not header_value:
        return False
    given = header_value.strip().lower()
    return any(hmac.compare_digest(given, expected_hash(url, key)) for key in keys)


def refusal_message(header_value: str | None) -> str:
    if not header_value:
        return ("this exam must be taken in Safe Exam Browser with the configuration the testing office "
                "provided; this browser did not identify itself as one")
    return ("Safe Exam Browser is running a configuration this exam does not accept; "
            "start it with the configuration file the testing office provided")
