"""A small raw Swift client for the conformance suite: plain requests and a v1 auth token.

The suite compares the sandbox with a real Swift, so it must not depend on either the
sandbox or the project's client core. This client only builds URLs, percent-encodes
names (UTF-8 bytes, ``/`` kept), sends requests and returns the responses untouched:
no retries, no redirects, no error raising.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

# Seconds to wait for one response. Every server here is on loopback.
TIMEOUT = 30


def quote_name(name: str | bytes) -> str:
    """Percent-encode a container or object name, keeping ``/`` literal.

    A ``.`` or ``..`` segment is sent as ``%2E``: urllib3 removes literal dot segments
    from a URL (RFC 3986 normalization), which would change the name.
    """
    raw = name.encode("utf-8") if isinstance(name, str) else name
    segments = []
    for segment in raw.split(b"/"):
        if segment in (b".", b".."):
            segments.append("%2E" * len(segment))
        else:
            segments.append(quote(segment, safe=""))
    return "/".join(segments)


def quote_value(value: str) -> str:
    """Percent-encode a query parameter value (``/`` too)."""
    return quote(value.encode("utf-8"), safe="")


@dataclass
class RawResponse:
    """An HTTP response read from a raw socket, shaped like the parts of requests.Response used here."""

    status_code: int
    headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)
    content: bytes = b""


class RawSwiftClient:
    """Requests against one Swift endpoint (sandbox or real), authenticated with v1 auth."""

    def __init__(self, server: str, auth_url: str, user: str, key: str, prefix: str) -> None:
        self.server = server
        self.auth_url = auth_url
        self.user = user
        self.key = key
        self.prefix = prefix
        self.session = requests.Session()
        # Only loopback servers are used: ignore proxy settings from the environment.
        self.session.trust_env = False
        self.storage_url = ""
        self.token = ""

    def __repr__(self) -> str:
        return f"RawSwiftClient({self.server!r}, {self.auth_url!r})"

    # -- addresses -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """Scheme, host and port of the auth URL, e.g. ``http://127.0.0.1:8080``."""
        parts = urlsplit(self.auth_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def info_url(self) -> str:
        return f"{self.origin}/info"

    @property
    def account(self) -> str:
        """The account part of the storage URL, after ``AUTH_``."""
        return self.storage_path.rsplit("/AUTH_", 1)[-1]

    @property
    def storage_path(self) -> str:
        """The path of the storage URL, e.g. ``/v1/AUTH_test``."""
        return urlsplit(self.storage_url).path

    def name(self, suffix: str = "") -> str:
        """Return a container name unique to this test: the test's prefix plus ``suffix``."""
        return f"{self.prefix}{suffix}"

    def path(self, container: str | bytes, obj: str | bytes | None = None) -> str:
        """Return ``/container[/object]``, percent-encoded, relative to the storage URL."""
        path = "/" + quote(container.encode("utf-8") if isinstance(container, str) else container, safe="")
        if obj is not None:
            path += "/" + quote_name(obj)
        return path

    # -- requests --------------------------------------------------------------------------

    def authenticate(self, user: str | None = None, key: str | None = None) -> requests.Response:
        """Send v1 auth; on success keep the storage URL and token for later requests."""
        headers = {"X-Auth-User": self.user if user is None else user, "X-Auth-Key": self.key if key is None else key}
        response = self.session.get(self.auth_url, headers=headers, timeout=TIMEOUT)
        if response.status_code == 200 and user is None and key is None:
            self.storage_url = response.headers["X-Storage-Url"]
            self.token = response.headers["X-Auth-Token"]
        return response

    def request(
        self,
        method: str,
        path: str = "",
        *,
        query: str | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | str | object = None,
        token: str | None | bool = True,
    ) -> requests.Response:
        """Send ``method`` to the storage URL plus the encoded ``path`` and ``query``.

        ``token`` True sends this client's token, a string sends that token, and False or
        None sends none (an anonymous request).
        """
        url = self.storage_url + path
        if query:
            if isinstance(query, dict):
                query = "&".join(f"{quote_value(k)}={quote_value(v)}" if v is not None else quote_value(k) for k, v in query.items())
            url += "?" + query
        sent = dict(headers or {})
        if token is True:
            sent["X-Auth-Token"] = self.token
        elif token:
            sent["X-Auth-Token"] = token
        return self.session.request(method, url, headers=sent, data=data, timeout=TIMEOUT, allow_redirects=False)

    def get(self, path: str = "", **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str = "", **kwargs) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def put(self, path: str = "", **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def post(self, path: str = "", **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str = "", **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def get_url(self, url: str, **kwargs) -> requests.Response:
        """GET an absolute URL (``/info``, a temp URL) without a token."""
        return self.session.get(url, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def head_url(self, url: str, **kwargs) -> requests.Response:
        """HEAD an absolute URL without a token."""
        return self.session.head(url, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def send_raw(self, head: bytes, body: bytes = b"") -> RawResponse:
        """Send a hand-written request over a new socket and parse the response.

        ``head`` is the request line and header lines, each ending in CRLF, without the
        blank line that ends the header; this method adds it. For requests that requests
        cannot make, such as a PUT with neither Content-Length nor Transfer-Encoding.
        """
        parts = urlsplit(self.storage_url)
        with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as connection:
            connection.sendall(head + b"\r\n" + body)
            response = http.client.HTTPResponse(connection, method=head.split(b" ", 1)[0].decode("ascii"))
            response.begin()
            content = response.read()
            headers = CaseInsensitiveDict(response.getheaders())
            return RawResponse(response.status, headers, content)

    def raw_request_head(self, method: str, path: str, extra: list[str] = ()) -> bytes:
        """Return the request line and headers for ``send_raw``, with Host and this client's token."""
        parts = urlsplit(self.storage_url)
        lines = [
            f"{method} {parts.path}{path} HTTP/1.1",
            f"Host: {parts.netloc}",
            f"X-Auth-Token: {self.token}",
            "Connection: close",
            *extra,
        ]
        return "".join(line + "\r\n" for line in lines).encode("latin-1")

    def close(self) -> None:
        self.session.close()
