"""Fault injection: make the next requests that match a rule fail in a chosen way.

Tests post rules to ``/_sandbox/faults``. A rule matches on the raw request path (a
prefix, or a regular expression when it starts with ``^``) and optionally the method;
it lets ``skip`` matching requests through, then acts on the next ``count`` of them:

- ``status``: answer that status (with ``Retry-After`` and any ``headers`` given), in the
  service's own error format unless a body is given; the request is not carried out;
- ``html``: answer an HTML page with the given status (200 by default) where the client
  expects JSON;
- ``drop``: close the connection without answering;
- ``delay``: wait ``delay`` seconds, then handle the request normally;
- ``expire_tokens``: expire every token now, then handle the request normally, so the
  service itself answers 401 as it would in the middle of a long operation.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

ACTIONS = ("status", "html", "drop", "delay", "expire_tokens")


class FaultRuleError(ValueError):
    """A fault rule posted by a test is malformed."""


@dataclass
class FaultRule:
    """One rule: which requests it matches and what it does to them."""

    id: int
    path: str
    action: str = "status"
    method: str | None = None
    count: int = 1
    skip: int = 0
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    body: str | None = None
    content_type: str | None = None
    # Headers added to an injected response, such as a wrong Etag on a 201.
    headers: dict[str, str] | None = None
    # Requests matched so far, skipped ones included.
    matched: int = 0

    def matches(self, method: str, raw_path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path.startswith("^"):
            return re.search(self.path, raw_path) is not None
        return raw_path.startswith(self.path)

    @property
    def spent(self) -> bool:
        return self.matched >= self.skip + self.count


def parse_rule(data: dict[str, Any], rule_id: int) -> FaultRule:
    """Build a rule from the JSON a test posted, or raise ``FaultRuleError``."""
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise FaultRuleError("a fault rule needs a 'path' string (a prefix, or a regular expression starting with ^)")
    action = data.get("action", "status")
    if action not in ACTIONS:
        raise FaultRuleError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if action == "status" and not isinstance(data.get("status"), int):
        raise FaultRuleError("the status action needs an integer 'status'")
    if data["path"].startswith("^"):
        try:
            re.compile(data["path"])
        except re.error as exc:
            raise FaultRuleError(f"invalid regular expression {data['path']!r}: {exc}") from None
    known = {f for f in FaultRule.__dataclass_fields__ if f not in ("id", "matched")}
    unknown = set(data) - known
    if unknown:
        raise FaultRuleError(f"unknown fault rule fields: {', '.join(sorted(unknown))}")
    headers = data.get("headers")
    if headers is not None and not (
        isinstance(headers, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise FaultRuleError("'headers' must be an object of header names to string values")
    retry_after = data.get("retry_after")
    return FaultRule(id=rule_id, **{**data, "retry_after": None if retry_after is None else str(retry_after)})


class FaultTable:
    """The active rules, consulted once for every request."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, data: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = parse_rule(data, next(self._ids))
            self._rules.append(rule)
            return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def take(self, method: str, raw_path: str) -> FaultRule | None:
        """Return the rule that acts on this request, counting it; None to handle it normally."""
        with self._lock:
            for rule in self._rules:
                if rule.spent or not rule.matches(method, raw_path):
                    continue
                rule.matched += 1
                if rule.matched <= rule.skip:
                    continue
                return rule
            self._rules = [rule for rule in self._rules if not rule.spent]
        return None
