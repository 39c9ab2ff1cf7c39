"""Request signatures, access rules and TOTP codes, as the OVHcloud API checks them.

Written from the published formulas only: this module shares no code with the client
core's signer, so a test where both agree means something.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct

# Prefix of every signature: the version of the signing scheme.
SIGNATURE_PREFIX = "$1$"

# HTTP methods an access rule may name.
RULE_METHODS = ("GET", "POST", "PUT", "DELETE")

# RFC 6238 parameters of the OVHcloud two-factor login: 30-second steps, 6 digits, SHA-1.
TOTP_STEP = 30
TOTP_DIGITS = 6
# Steps of clock drift accepted on each side of the current one.
TOTP_WINDOW = 1


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def compute_signature(
    application_secret: str,
    consumer_key: str,
    method: str,
    url: str | bytes,
    body: str | bytes,
    timestamp: str | int,
) -> str:
    """Return ``$1$`` + the SHA-1 hex digest of ``AS+CK+METHOD+URL+BODY+TIMESTAMP``.

    ``url`` and ``body`` may be bytes, so the server can hash exactly the bytes it received;
    text is encoded as UTF-8, as clients do.
    """
    parts = [
        _as_bytes(application_secret),
        _as_bytes(consumer_key),
        _as_bytes(method.upper()),
        _as_bytes(url),
        _as_bytes(body),
        _as_bytes(str(timestamp)),
    ]
    return SIGNATURE_PREFIX + hashlib.sha1(b"+".join(parts)).hexdigest()


def signature_matches(expected: str, received: str) -> bool:
    """Compare two signatures in constant time."""
    return hmac.compare_digest(expected.encode("ascii", "replace"), received.encode("ascii", "replace"))


def rule_pattern(path: str) -> re.Pattern[str]:
    """Compile an access rule path, where ``*`` matches any characters, ``/`` included."""
    return re.compile("".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", path)) + r"\Z")


def rule_allows(rules: list[dict[str, str]], method: str, api_path: str) -> bool:
    """Return True when one access rule names ``method`` and its path matches ``api_path``."""
    for rule in rules:
        if rule.get("method", "").upper() == method.upper() and rule_pattern(rule.get("path", "")).match(api_path):
            return True
    return False


def totp_code(secret_base32: str, counter: int) -> str:
    """Return the RFC 4226 HOTP code of ``counter`` for a base32 secret (padding optional)."""
    padded = secret_base32.upper() + "=" * (-len(secret_base32) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def totp_valid(secret_base32: str, code: str, now: float) -> bool:
    """Return True when ``code`` is the RFC 6238 code of ``now`` or of one step around it."""
    code = code.strip().replace(" ", "")
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    current = int(now // TOTP_STEP)
    return any(
        hmac.compare_digest(totp_code(secret_base32, current + drift), code)
        for drift in range(-TOTP_WINDOW, TOTP_WINDOW + 1)
    )
