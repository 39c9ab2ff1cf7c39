"""Fixtures of the client core tests: Swift accounts on the real Swift and on the sandbox.

``swift_server`` runs a test once against each server. The accounts use short retry
back-offs, so injected 503s and dropped connections cost milliseconds, and a counting
``HttpClient`` so a test can prove that bad input sent no request.
"""

from __future__ import annotations

import hashlib
import select
import socket
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import requests

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import HttpClient, RetryPolicy
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_auth import V1AuthProvider

# Retries as many as the default, with back-offs of a few milliseconds.
FAST_RETRY = RetryPolicy(max_retries=5, backoff_initial=0.005, backoff_max=0.02, retry_after_max=2.0)


class CountingHttpClient(HttpClient):
    """An ``HttpClient`` that counts the requests it sends (the requests are real)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = 0

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.sent += 1
        return super().request(method, url, **kwargs)


@dataclass
class SwiftServer:
    """One Swift server under test and how to reach it."""

    kind: str  # "real" or "sandbox"
    auth_url: str
    user: str
    key: str = field(repr=False)
    # The sandbox handle (faults, settings, request log), None for the real Swift.
    sandbox: Any = None
    # The RealSwift handle, None for the sandbox.
    real: Any = None
    created: list[tuple[SwiftAccount, str]] = field(default_factory=list, repr=False)

    def provider(self, **options: Any) -> V1AuthProvider:
        return V1AuthProvider(self.auth_url, self.user, self.key, http=HttpClient("swift", retry=FAST_RETRY), **options)

    def account(self, **options: Any) -> SwiftAccount:
        """Return a new account client (its own provider, token cache and counting HTTP client)."""
        http = CountingHttpClient("swift", retry=FAST_RETRY)
        return SwiftAccount(self.provider(), http=http, **options)

    def new_container(self, account: SwiftAccount, label: str = "t") -> str:
        """Create a container with a unique name, deleted (with its segments) after the test."""
        name = f"{label}-{uuid.uuid4().hex[:10]}"
        account.create_container(name)
        self.created.append((account, name))
        return name

    def cleanup(self) -> None:
        for account, name in self.created:
            for container in (name, name + "_segments"):
                try:
                    account.delete_container(container, empty=True)
                except errors.NotFoundError:
                    pass
                except errors.OvhubError as exc:  # pragma: no cover - only logged
                    print(f"cleanup of {container} failed: {exc}")


def sandbox_swift_missing(sandbox: Any) -> str | None:
    """Return why the sandbox cannot serve Swift yet, or None when it can."""
    config = sandbox.config["swift"]
    response = requests.get(config["auth_url"], headers={"X-Auth-User": config["user"], "X-Auth-Key": config["key"]}, timeout=10)
    if response.status_code == 501:
        return "the sandbox's Swift emulation is not in place yet (it answers 501)"
    return None


@pytest.fixture
def sandbox_server(sandbox):
    reason = sandbox_swift_missing(sandbox)
    if reason:
        pytest.skip(reason)
    config = sandbox.config["swift"]
    server = SwiftServer("sandbox", config["auth_url"], config["user"], config["key"], sandbox=sandbox)
    yield server
    sandbox.clear_faults()
    server.cleanup()


@pytest.fixture
def real_server(real_swift):
    server = SwiftServer("real", real_swift.auth_url, real_swift.user, real_swift.key, real=real_swift)
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def small_page_swift(tmp_path_factory):
    """A second real Swift whose listings return at most 3 entries a page."""
    from tests.realswift import RealSwift, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with RealSwift(tmp_path_factory.mktemp("small-page-swift"), listing_limit=3) as swift:
        yield swift


@pytest.fixture
def make_real_server():
    """Return a function that wraps another RealSwift instance as a ``SwiftServer``."""
    servers = []

    def make(real_swift: Any) -> SwiftServer:
        server = SwiftServer("real", real_swift.auth_url, real_swift.user, real_swift.key, real=real_swift)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.cleanup()


@pytest.fixture(params=["real", "sandbox"])
def swift_server(request) -> SwiftServer:
    """Each Swift server in turn: the real Swift, then the sandbox."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def account(swift_server) -> SwiftAccount:
    return swift_server.account()


@pytest.fixture
def container(swift_server, account) -> str:
    return swift_server.new_container(account)


def revoke_real_swift_token(real_swift: Any, token: str) -> None:
    """Delete a tempauth token from the real Swift's memcached, so the next request gets 401.

    tempauth keeps each token under ``AUTH_/token/<token>``; Swift's memcache client
    stores a key as the hex MD5 of it.
    """
    key = hashlib.md5(f"AUTH_/token/{token}".encode("utf-8")).hexdigest()
    with socket.create_connection(("127.0.0.1", real_swift.ports.memcached), timeout=5) as connection:
        connection.sendall(f"delete {key}\r\n".encode("ascii"))
        answer = connection.recv(64)
    assert answer.startswith(b"DELETED"), f"memcached did not delete the token: {answer!r}"


def expire_token_now(server: SwiftServer, account: SwiftAccount) -> None:
    """Make the account's current token invalid on the server, without telling the client."""
    if server.kind == "sandbox":
        server.sandbox.expire_tokens()
    else:
        revoke_real_swift_token(server.real, account.provider.get().token)


class ActionAfter:
    """A progress receiver that calls ``action`` once, when ``after_bytes`` have moved."""

    def __init__(self, after_bytes: int, action: Callable[[], None]) -> None:
        self.after_bytes = after_bytes
        self.action = action
        self.nbytes = 0
        self.done = False
        self.ended_failed: bool | None = None

    def begin(self, **_: Any) -> None:
        pass

    def add_total(self, **_: Any) -> None:
        pass

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        self.nbytes += nbytes
        if not self.done and self.nbytes >= self.after_bytes:
            self.done = True
            self.action()

    def end(self, *, failed: bool = False) -> None:
        self.ended_failed = failed


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 that closes the connection in the middle of chosen responses.

    Every connection is relayed to ``target`` unchanged, except that after a request
    line starting with ``cut_request`` (such as ``b"GET /v1/AUTH_test/c/o "``), the
    next ``cut_after`` bytes of the response are passed on and then both sides are
    closed, ``cuts`` times in all.
    """

    def __init__(self, target: tuple[str, int], cut_request: bytes, cut_after: int, cuts: int = 1) -> None:
        self.target = target
        self.cut_request = cut_request
        self.cut_after = cut_after
        self.cuts_left = cuts
        self.cuts_done = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def close(self) -> None:
        self._stopping = True
        self._listener.close()
        for thread in [self._accepter, *self._threads]:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, client: socket.socket) -> None:
        server = socket.create_connection(self.target)
        budget: int | None = None
        try:
            while not self._stopping:
                readable, _, _ = select.select([client, server], [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client:
                        budget = self._budget_for(data, budget)
                        server.sendall(data)
                        continue
                    if budget is not None and len(data) >= budget:
                        client.sendall(data[:budget])
                        return
                    if budget is not None:
                        budget -= len(data)
                    client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def _budget_for(self, request: bytes, budget: int | None) -> int | None:
        if not request.startswith(self.cut_request):
            return budget
        with self._lock:
            if self.cuts_left <= 0:
                return budget
            self.cuts_left -= 1
            self.cuts_done += 1
        return self.cut_after
