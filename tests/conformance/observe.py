"""Turn HTTP responses into comparable observations, and show two of them side by side.

An observation keeps what a client reads: the status, the headers a case names and the
body. Values that legitimately differ between two servers (dates, timestamps, tokens,
transaction ids, the account name, the storage URL) are replaced by the name of their
format, after a check that they have it. A value in the wrong format is kept as it is,
so the comparison shows it.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any
from xml.etree import ElementTree

# RFC 7231 IMF-fixdate, the date format Swift sends.
HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")
# X-Timestamp and X-Put-Timestamp: Unix seconds with exactly five decimals.
SWIFT_TIMESTAMP = re.compile(r"^\d{10}\.\d{5}$")
# X-Trans-Id: "tx", 21 hex digits, "-", then the Unix time in 10 hex digits.
TRANS_ID = re.compile(r"^tx[0-9a-f]{21}-[0-9a-f]{10}$")
# last_modified in listings: UTC, microseconds, no zone.
LISTING_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")
INTEGER = re.compile(r"^\d+$")

# Placeholders that stand for a value of the right format.
DATE_SEEN = "<HTTP-date>"
TIMESTAMP_SEEN = "<X-Timestamp>"
TRANS_ID_SEEN = "<trans-id>"
LISTING_TIME_SEEN = "<YYYY-MM-DDTHH:MM:SS.ffffff>"
TOKEN_SEEN = "<token>"
INTEGER_SEEN = "<integer>"
ABSENT = "<absent>"

DATE_HEADERS = {"date", "last-modified", "x-copied-from-last-modified"}
TIMESTAMP_HEADERS = {"x-timestamp", "x-put-timestamp"}
TRANS_ID_HEADERS = {"x-trans-id", "x-openstack-request-id"}
TOKEN_HEADERS = {"x-auth-token", "x-storage-token"}
# Values that depend on everything else stored in the shared account, or on the clock.
INTEGER_HEADERS = {
    "x-auth-token-expires",
    "x-account-container-count",
    "x-account-object-count",
    "x-account-bytes-used",
}


class Observer:
    """Normalizes responses from one client, replacing its account and storage URL."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def observe(self, response: Any, *headers: str, body: str = "text") -> dict[str, Any]:
        """Return ``{"status", "headers", "body"}`` for one response.

        ``headers`` names the headers to keep. ``body`` is "text" (exact, decoded as
        UTF-8), "json" (parsed, last_modified values checked), "listing" (by the
        response's Content-Type), "bytes" (exact), "none", or "length".
        """
        seen: dict[str, Any] = {"status": response.status_code}
        if headers:
            seen["headers"] = {name.lower(): self.header(name, response.headers.get(name)) for name in headers}
        if body != "none":
            seen["body"] = self.body(response, body)
        return seen

    def header(self, name: str, value: str | None) -> str:
        """Return a header value, or the name of its format for values that must differ."""
        if value is None:
            return ABSENT
        lowered = name.lower()
        if lowered in DATE_HEADERS:
            return DATE_SEEN if HTTP_DATE.match(value) else value
        if lowered in TIMESTAMP_HEADERS:
            return TIMESTAMP_SEEN if SWIFT_TIMESTAMP.match(value) else value
        if lowered in TRANS_ID_HEADERS:
            return TRANS_ID_SEEN if TRANS_ID.match(value) else value
        if lowered in TOKEN_HEADERS:
            return TOKEN_SEEN if value.strip() else value
        if lowered in INTEGER_HEADERS:
            return INTEGER_SEEN if INTEGER.match(value) else value
        return self.text(utf8_header(value))

    def text(self, value: str) -> str:
        """Replace this client's storage URL and account name in a text."""
        if self.client.storage_url:
            value = value.replace(self.client.storage_url, "<storage-url>")
            account = self.client.account
            value = value.replace(f"AUTH_{account}", "AUTH_<account>")
            value = value.replace(f'realm="{account}"', 'realm="<account>"')
        return value

    def body(self, response: Any, kind: str) -> Any:
        content = response.content
        if kind == "bytes":
            return content
        if kind == "length":
            return len(content)
        if kind == "listing":
            content_type = response.headers.get("Content-Type", "")
            kind = "json" if content_type.startswith("application/json") and content else "text"
            if content_type.startswith(("application/xml", "text/xml")):
                return self.xml_listing(content)
        if kind == "json":
            try:
                parsed = json.loads(content)
            except ValueError:
                return {"<not JSON>": content.decode("utf-8", "backslashreplace")}
            return self.listing_entries(parsed)
        return self.text(content.decode("utf-8", "backslashreplace"))

    def listing_entries(self, value: Any) -> Any:
        """Replace every well-formed last_modified value in decoded JSON by its format."""
        if isinstance(value, list):
            return [self.listing_entries(item) for item in value]
        if isinstance(value, dict):
            return {
                key: (listing_time(item) if key == "last_modified" else self.listing_entries(item))
                for key, item in value.items()
            }
        if isinstance(value, str):
            return self.text(value)
        return value

    def xml_listing(self, content: bytes) -> Any:
        """Return an XML listing as its declaration and element tree (whitespace between elements dropped)."""
        text = content.decode("utf-8", "backslashreplace")
        try:
            root = ElementTree.fromstring(content)
        except ElementTree.ParseError:
            return {"<not XML>": self.text(text)}
        first_line = text.split("\n", 1)[0]
        return {
            "declaration": first_line if first_line.startswith("<?xml") else ABSENT,
            "document": self.xml_element(root, root=True),
        }

    def xml_element(self, element: ElementTree.Element, root: bool = False) -> dict[str, Any]:
        seen: dict[str, Any] = {"tag": element.tag}
        if element.attrib:
            seen["attributes"] = {name: self.text(value) for name, value in element.attrib.items()}
        children = list(element)
        if children:
            seen["children"] = [self.xml_element(child) for child in children]
        else:
            text = element.text or ""
            if root and not text.strip():
                # An empty listing: "<container/>" and "<container>\n</container>" read the same.
                text = ""
            seen["text"] = listing_time(text) if element.tag == "last_modified" else self.text(text)
        return seen


def utf8_header(value: str) -> str:
    """Decode a header value as UTF-8, as Swift clients do (http.client reads it as latin-1)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def listing_time(value: Any) -> Any:
    return LISTING_TIME_SEEN if isinstance(value, str) and LISTING_TIME.match(value) else value


# -- comparison ------------------------------------------------------------------------


def differences(expected: Any, actual: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Return ``(path, expected, actual)`` for every leaf where two observations differ."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            found += differences(expected.get(key, ABSENT), actual.get(key, ABSENT), f"{path}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        found = []
        for index in range(max(len(expected), len(actual))):
            left = expected[index] if index < len(expected) else ABSENT
            right = actual[index] if index < len(actual) else ABSENT
            found += differences(left, right, f"{path}[{index}]")
        return found
    return [] if expected == actual else [(path or "/", expected, actual)]


def side_by_side(left_title: str, left: Any, right_title: str, right: Any, width: int = 120, max_rows: int = 200) -> str:
    """Render two observations as two aligned columns of pretty JSON, marking differing lines.

    Lines are aligned as ``diff`` aligns them. Past ``max_rows``, only the rows near a
    difference are shown.
    """
    left_lines = _pretty(left).splitlines()
    right_lines = _pretty(right).splitlines()
    column = (width - 3) // 2
    rows: list[tuple[bool, str, str]] = []
    matcher = difflib.SequenceMatcher(a=left_lines, b=right_lines, autojunk=False)
    for operation, left_start, left_end, right_start, right_end in matcher.get_opcodes():
        left_part = left_lines[left_start:left_end]
        right_part = right_lines[right_start:right_end]
        for index in range(max(len(left_part), len(right_part))):
            a = left_part[index] if index < len(left_part) else ""
            b = right_part[index] if index < len(right_part) else ""
            rows.append((operation != "equal", a, b))

    shown = range(len(rows))
    if len(rows) > max_rows:
        near = {i for i, (differs, _, _) in enumerate(rows) if differs for i in range(i - 3, i + 4)}
        shown = [i for i in range(len(rows)) if i in near][:max_rows]

    lines = [f"{left_title:<{column}} | {right_title}", f"{'-' * column}-+-{'-' * column}"]
    previous = -1
    for index in shown:
        if index != previous + 1:
            lines.append(f"{'...':<{column}} | ...")
        previous = index
        differs, a, b = rows[index]
        lines.append(f"{_cell(a, column):<{column}} {'≠' if differs else '|'} {_cell(b, column)}")
    if shown and previous != len(rows) - 1:
        lines.append(f"{'...':<{column}} | ...")
    return "\n".join(lines)


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def mismatch_report(case: str, expected_title: str, expected: Any, actual_title: str, actual: Any, max_differences: int = 25) -> str:
    """Return the failure message for two observations that differ."""
    found = differences(expected, actual)
    lines = [f"{case}: {actual_title} differs from {expected_title} in {len(found)} place(s):"]
    for path, left, right in found[:max_differences]:
        lines.append(f"  {path}: {expected_title}={_short(left)}  {actual_title}={_short(right)}")
    if len(found) > max_differences:
        lines.append(f"  ... and {len(found) - max_differences} more")
    lines.append("")
    lines.append(side_by_side(expected_title, expected, actual_title, actual))
    return "\n".join(lines)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=False, default=repr)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."
