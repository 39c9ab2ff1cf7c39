"""Failures in the middle of work: expired tokens, rate limits, dropped connections, Ctrl-C."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.credentials import StaticCredentials
from ovhub_jupyter.core.http import HttpClient
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_auth import V1AuthProvider
from ovhub_jupyter.core.swift_names import quote_name

from tests.core.conftest import FAST_RETRY, ActionAfter, CuttingProxy, CountingHttpClient, revoke_real_swift_token

SEGMENT = 64 * 1024


def object_path_pattern(container: str, name: str | None = None) -> str:
    """Return a fault path matching the container (or one object) in any account."""
    pattern = f"^/v1/AUTH_[^/]+/{quote_name(container)}"
    if name is not None:
        pattern += "/" + quote_name(name)
    return pattern + "$"


def logged(sandbox, method: str, fragment: str) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == method and fragment in r["path"]]


# -- expired tokens --------------------------------------------------------------------------


def test_token_expires_mid_listing_on_sandbox(sandbox_server):
    sandbox = sandbox_server.sandbox
    sandbox.update_settings(container_listing_limit=3)
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    for name in "abcdefg":
        account.upload_bytes(container, name, b"x")
    sandbox.add_fault(object_path_pattern(container), method="GET", action="expire_tokens", skip=1)

    entries = account.list_objects(container)
    pages = logged(sandbox, "GET", f"/{container}")[-5:]

    assert [e.name for e in entries] == list("abcdefg")
    assert [page["status"] for page in pages][:3] == [200, 401, 200]
    # The retried page asks for the same marker as the rejected one.
    assert pages[1]["query"] == pages[2]["query"]
    assert "marker=c" in pages[2]["query"]


def test_token_revoked_mid_listing_on_real_swift(small_page_swift, make_real_server):
    server = make_real_server(small_page_swift)
    account = server.account()
    container = server.new_container(account)
    for name in "abcdefg":
        account.upload_bytes(container, name, b"x")
    old_token = account.provider.get().token

    iterator = account.iter_objects(container)
    first_page = [next(iterator).name for _ in range(3)]
    revoke_real_swift_token(small_page_swift, old_token)
    rest = [entry.name for entry in iterator]

    assert first_page + rest == list("abcdefg")
    assert account.provider.get().token != old_token


def test_token_expires_mid_upload_on_sandbox(sandbox_server):
    sandbox = sandbox_server.sandbox
    account = sandbox_server.account(concurrency=1)
    container = sandbox_server.new_container(account)
    data = os.urandom(3 * SEGMENT)
    sandbox.add_fault(f"^/v1/AUTH_[^/]+/{container}_segments/", method="PUT", action="expire_tokens", skip=1)

    account.upload_bytes(container, "obj", data, segment_size=SEGMENT)
    puts = logged(sandbox, "PUT", f"/{container}_segments/")

    assert account.download_bytes(container, "obj") == data
    assert [(p["path"][-8:], p["status"]) for p in puts] == [
        ("00000000", 201),
        ("00000001", 401),
        ("00000001", 201),
        ("00000002", 201),
    ]


def test_token_revoked_mid_upload_on_real_swift(real_server):
    account = real_server.account(concurrency=1)
    container = real_server.new_container(account)
    data = os.urandom(3 * SEGMENT)
    old_token = account.provider.get().token
    revoke = ActionAfter(SEGMENT, lambda: revoke_real_swift_token(real_server.real, old_token))

    account.upload_bytes(container, "obj", data, segment_size=SEGMENT, progress=revoke)

    assert revoke.done
    assert account.provider.get().token != old_token
    assert account.download_bytes(container, "obj") == data


def test_rejected_token_retried_once(swift_server):
    storage_url = swift_server.account().provider.get().storage_url
    http = CountingHttpClient("swift", retry=FAST_RETRY)
    account = SwiftAccount(StaticCredentials(storage_url, "not-a-valid-token-123456"), http=http)

    with pytest.raises(errors.AuthenticationError) as caught:
        account.list_containers()

    assert http.sent == 2
    assert "not-a-valid-token-123456" not in str(caught.value)
    assert "still rejected" in str(caught.value).lower()


def test_bad_key_raises_authentication_error(swift_server):
    provider = V1AuthProvider(swift_server.auth_url, swift_server.user, "wrong-key-abcdef", http=HttpClient("swift", retry=FAST_RETRY))

    with pytest.raises(errors.AuthenticationError) as caught:
        provider.get()

    assert "wrong-key-abcdef" not in str(caught.value)
    assert "check the user and key" in str(caught.value).lower()
    assert "wrong-key" not in repr(provider)


def test_v1_token_expiry_is_read(swift_server):
    import time

    credentials = swift_server.provider().get()

    assert credentials.expires_at is not None
    assert credentials.expires_at > time.time() + 3600


# -- rate limits and server errors -----------------------------------------------------------


@pytest.mark.parametrize("status", [429, 498, 503])
def test_bursts_honour_retry_after(sandbox_server, status):
    sandbox = sandbox_server.sandbox
    waits: list[float] = []
    http = HttpClient("swift", retry=FAST_RETRY, sleep=waits.append)
    account = SwiftAccount(sandbox_server.provider(), http=http)
    container = sandbox_server.new_container(sandbox_server.account())
    account.upload_bytes(container, "o", b"data")
    sandbox.add_fault(object_path_pattern(container, "o"), method="GET", status=status, count=3, retry_after=2)

    data = account.download_bytes(container, "o")

    assert data == b"data"
    assert waits == [2.0, 2.0, 2.0]


def test_upload_retried_after_503_sends_whole_body(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(object_path_pattern(container, "o"), method="PUT", status=503, count=2, retry_after=0)
    data = os.urandom(200_000)

    from_bytes = account.upload_bytes(container, "o", data)
    stored_bytes = account.download_bytes(container, "o")
    sandbox_server.sandbox.add_fault(object_path_pattern(container, "o"), method="PUT", status=503, count=2, retry_after=0)
    account.upload_stream(container, "o", iter([data[:1000], data[1000:]]))
    stored_stream = account.download_bytes(container, "o")

    assert from_bytes.bytes == len(data)
    assert stored_bytes == data
    assert stored_stream == data


def test_metadata_post_retried_after_503(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(object_path_pattern(container), method="POST", status=503, count=1, retry_after=0)

    account.set_container_metadata(container, {"a": "1"})

    assert account.stat_container(container).metadata == {"a": "1"}


def test_persistent_503_raises_server_error(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(object_path_pattern(container, "o"), method="GET", status=503, count=100, retry_after=0)

    with pytest.raises(errors.ServerError) as caught:
        account.download_bytes(container, "o")

    attempts = logged(sandbox_server.sandbox, "GET", f"/{container}/o")
    assert [a["status"] for a in attempts] == [503] * (FAST_RETRY.max_retries + 1)
    assert "HTTP 503" in str(caught.value)
    assert "try again later" in str(caught.value).lower()


def test_dropped_connection_is_retried(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    account.upload_bytes(container, "o", b"survives")
    sandbox_server.sandbox.add_fault(object_path_pattern(container, "o"), action="drop", count=1)

    assert account.download_bytes(container, "o") == b"survives"

    sandbox_server.sandbox.add_fault(object_path_pattern(container, "p"), method="PUT", action="drop", count=1)
    account.upload_bytes(container, "p", b"also")
    assert account.download_bytes(container, "p") == b"also"


def test_connection_always_dropped_raises(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(object_path_pattern(container, "o"), action="drop", count=100)

    with pytest.raises(errors.ConnectionFailedError):
        account.download_bytes(container, "o")


# -- broken and interrupted downloads --------------------------------------------------------


def test_broken_body_resumes_where_it_stopped(real_server, tmp_path):
    account = real_server.account()
    container = real_server.new_container(account)
    data = os.urandom(1024 * 1024)
    account.upload_bytes(container, "o", data)
    storage = urlsplit(account.provider.get().storage_url)
    request_line = f"GET {storage.path}/{container}/o ".encode("ascii")
    proxy = CuttingProxy((storage.hostname, storage.port), request_line, cut_after=300_000)
    try:
        proxied = SwiftAccount(
            real_server.provider(storage_url=f"http://127.0.0.1:{proxy.port}{storage.path}"),
            http=HttpClient("swift", retry=FAST_RETRY),
            chunk_size=64 * 1024,
        )
        result = proxied.download_file(container, "o", tmp_path / "o")
    finally:
        proxy.close()

    assert proxy.cuts_done == 1
    assert (tmp_path / "o").read_bytes() == data
    assert result.bytes == len(data)


def test_interrupted_download_leaves_no_file(account, container, tmp_path):
    account.upload_bytes(container, "big", os.urandom(1024 * 1024))
    account.chunk_size = 64 * 1024

    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        account.download_file(container, "big", tmp_path / "big", progress=ActionAfter(100_000, interrupt))

    assert list(tmp_path.iterdir()) == []


def test_interrupted_folder_download_leaves_no_partial_file(account, container, tmp_path):
    for index in range(6):
        account.upload_bytes(container, f"dir/{index}", os.urandom(256 * 1024))
    account.chunk_size = 16 * 1024

    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        account.download_folder(container, tmp_path / "out", prefix="dir/", progress=ActionAfter(300_000, interrupt))

    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.name.endswith(".ovhub-part")]
    finished = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert leftovers == []
    for path in finished:
        assert path.stat().st_size == 256 * 1024


def test_failed_download_keeps_existing_file(account, container, tmp_path):
    target = tmp_path / "keep.txt"
    target.write_bytes(b"precious")

    with pytest.raises(errors.NotFoundError):
        account.download_file(container, "missing", target)

    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


# -- logging ---------------------------------------------------------------------------------


def test_logs_never_show_tokens_or_keys(sandbox_server, caplog):
    sandbox = sandbox_server.sandbox
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    first_token = account.provider.get().token
    sandbox.add_fault(object_path_pattern(container, "o"), method="PUT", status=503, count=1, retry_after=0)

    with caplog.at_level("DEBUG", logger="ovhub_jupyter"):
        account.upload_bytes(container, "o", b"logged")
        sandbox.expire_tokens()
        account.download_bytes(container, "o")
        url = account.temp_url(container, "o")
        log_text = caplog.text

    signature = url.split("temp_url_sig=")[1].split("&")[0]
    hidden = [first_token, account.provider.get().token, sandbox_server.key, account.temp_url_key(), signature]
    assert "retry 1 of" in log_text
    assert "token rejected" in log_text
    for secret in hidden:
        assert secret not in log_text
