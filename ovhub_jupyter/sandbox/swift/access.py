"""Who may do what: Swift tokens, account ownership and container ACLs.

A Swift token in the sandbox is a ``"swift"`` token of the shared registry. Its subject
lists the ``[cluster, account]`` pairs it opens (its grants). It may also list the names
ACLs can grant it under (``identities``: ``account:user`` for v1 auth, ``project:user``
for Keystone). A token that opens the account makes its holder the owner. Anyone else gets
in only through the container's ``X-Container-Read`` or ``X-Container-Write`` ACL, which
follow tempauth's v1 syntax (``.r:*``, ``.r:-host``, ``.rlistings``, user names).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from ..state import Token

# Names of referrer designations Swift accepts in a read ACL.
_REFERRER_DESIGNATIONS = (".r", ".ref", ".referer", ".referrer")


@dataclass
class Caller:
    """The outcome of checking a request's token against the account it targets."""

    # valid, expired, revoked, unknown or none (no token sent).
    token_status: str
    token: Token | None = None
    owner: bool = False
    identities: set[str] = field(default_factory=set)


def token_grants(token: Token) -> set[tuple[str, str]]:
    """Return the ``(cluster, account)`` pairs a token opens."""
    return {(cluster, account) for cluster, account in token.subject.get("grants", [])}


def identify(token_status: str, token: Token | None, cluster: str, account: str) -> Caller:
    """Describe the caller of a request on ``account`` in ``cluster``."""
    if token_status != "valid" or token is None:
        return Caller(token_status, token)
    owner = (cluster, account) in token_grants(token)
    identities = set(token.subject.get("identities", []))
    for user in list(identities):
        if ":" in user:
            identities.add(user.split(":", 1)[0])
    return Caller(token_status, token, owner, identities)


def clean_acl(name: str, value: str) -> str:
    """Normalize a container ACL header value; raise ValueError with Swift's message when invalid."""
    entries = []
    for raw in value.split(","):
        raw = raw.strip()
        if not raw:
            continue
        if ":" not in raw:
            entries.append(raw)
            continue
        first, second = (part.strip() for part in raw.split(":", 1))
        if not first or not first.startswith("."):
            entries.append(raw)
        elif first in _REFERRER_DESIGNATIONS:
            if "write" in name.lower():
                raise ValueError(f"Referrers not allowed in write ACL: {raw!r}")
            negate = second.startswith("-")
            if negate:
                second = second[1:].strip()
            if second and second != "*" and second.startswith("*"):
                second = second[1:].strip()
            if not second or second == ".":
                raise ValueError(f"No host/domain value after referrer designation in ACL: {raw!r}")
            entries.append(f".r:{'-' if negate else ''}{second}")
        else:
            raise ValueError(f"Unknown designator {first!r} in ACL: {raw!r}")
    return ",".join(entries)


def parse_acl(value: str | None) -> tuple[list[str], set[str]]:
    """Split a cleaned ACL into referrer designations and user or group names."""
    referrers: list[str] = []
    groups: set[str] = set()
    for entry in (value or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        if entry.startswith(".r:"):
            referrers.append(entry[3:])
        else:
            groups.add(entry)
    return referrers, groups


def referrer_allowed(referer: str | None, referrers: list[str]) -> bool:
    """Apply referrer designations in order; the last one that matches the Referer host wins."""
    allowed = False
    host = urllib.parse.urlsplit(referer or "").hostname or "unknown"
    for designation in referrers:
        if designation.startswith("-"):
            pattern = designation[1:]
            if pattern == host or (pattern.startswith(".") and host.endswith(pattern)):
                allowed = False
        elif designation == "*" or designation == host or (designation.startswith(".") and host.endswith(designation)):
            allowed = True
    return allowed


def acl_allows(caller: Caller, acl: str | None, referer: str | None, *, is_object: bool) -> bool:
    """Return True when a container ACL lets a non-owner through.

    A referrer match opens objects, and the listing too when the ACL has ``.rlistings``;
    a user or group name opens everything the ACL covers.
    """
    referrers, groups = parse_acl(acl)
    if referrer_allowed(referer, referrers) and (is_object or ".rlistings" in groups):
        return True
    return bool(caller.identities & groups)
