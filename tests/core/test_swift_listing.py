"""Listings: pages of exactly the limit and one more, filters, folders and manifest sizes.

The page size is lowered to 3 so page boundaries are cheap to reach: on the sandbox
through its settings, on the real Swift by starting a second instance with
``container_listing_limit = 3``.
"""

from __future__ import annotations

import uuid

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.swift_names import object_reference

PAGE = 3


@pytest.fixture(params=["real", "sandbox"])
def paged_server(request):
    """A server whose container and account listings return at most 3 entries a page."""
    if request.param == "real":
        return request.getfixturevalue("make_real_server")(request.getfixturevalue("small_page_swift"))
    server = request.getfixturevalue("sandbox_server")
    server.sandbox.update_settings(container_listing_limit=PAGE, account_listing_limit=PAGE)
    return server


def fill(account, container, names):
    for name in names:
        account.upload_bytes(container, name, name.encode("utf-8"))


def listing_requests(account, action):
    """Return what ``action()`` returned and the requests it sent."""
    before = account.http.sent
    value = action()
    return value, account.http.sent - before


# -- pagination ------------------------------------------------------------------------------


def test_empty_container_lists_nothing(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)

    entries, sent = listing_requests(account, lambda: account.list_objects(container))

    assert entries == []
    assert sent == 1


def test_exactly_one_page(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)
    fill(account, container, ["a", "b", "c"])

    entries, sent = listing_requests(account, lambda: account.list_objects(container))

    assert [e.name for e in entries] == ["a", "b", "c"]
    # One full page, then the empty page that ends the listing.
    assert sent == 2


def test_one_page_plus_one(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)
    fill(account, container, ["a", "b", "c", "d"])

    entries, sent = listing_requests(account, lambda: account.list_objects(container))

    assert [e.name for e in entries] == ["a", "b", "c", "d"]
    assert sent == 3


def test_limit_spans_pages(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)
    fill(account, container, [f"o{i}" for i in range(8)])
    account.info()

    entries, sent = listing_requests(account, lambda: account.list_objects(container, limit=5))

    assert [e.name for e in entries] == ["o0", "o1", "o2", "o3", "o4"]
    assert sent == 2


def test_reverse_listing_pages(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)
    fill(account, container, ["a", "b", "c", "d", "e"])

    entries = account.list_objects(container, reverse=True)
    before_d = account.list_objects(container, reverse=True, marker="d")

    assert [e.name for e in entries] == ["e", "d", "c", "b", "a"]
    assert [e.name for e in before_d] == ["c", "b", "a"]


def test_folders_across_page_boundary(paged_server):
    account = paged_server.account()
    container = paged_server.new_container(account)
    fill(account, container, ["a/1", "a/2", "b/1", "c", "d/1", "d/2", "e/x/y", "f"])

    entries = account.list_objects(container, delimiter="/")

    assert [(e.name, e.is_folder) for e in entries] == [
        ("a/", True),
        ("b/", True),
        ("c", False),
        ("d/", True),
        ("e/", True),
        ("f", False),
    ]


def test_containers_list_in_pages(paged_server):
    account = paged_server.account()
    label = "p" + uuid.uuid4().hex[:6]
    names = sorted(paged_server.new_container(account, label=label) for _ in range(4))

    containers, sent = listing_requests(account, lambda: account.list_containers(prefix=label))

    assert [c.name for c in containers] == names
    assert sent == 3


# -- filters ---------------------------------------------------------------------------------


def test_prefix_marker_end_marker(account, container):
    fill(account, container, ["x/1", "x/2", "x/3", "y/1", "é/1"])

    with_prefix = account.list_objects(container, prefix="x/")
    window = account.list_objects(container, marker="x/1", end_marker="y/1")
    after_unicode = account.list_objects(container, marker="y/1")

    assert [e.name for e in with_prefix] == ["x/1", "x/2", "x/3"]
    assert [e.name for e in window] == ["x/2", "x/3"]
    assert [e.name for e in after_unicode] == ["é/1"]


def test_listing_entry_fields(account, container):
    account.upload_bytes(container, "f.txt", b"hello", content_type="text/plain")

    (entry,) = account.list_objects(container)

    assert entry.bytes == 5
    assert entry.hash == "5d41402abc4b2a76b9719d911017c592"
    assert entry.content_type.startswith("text/plain")
    assert entry.last_modified is not None
    assert entry.last_modified.tzinfo is not None
    assert entry.is_folder is False


def test_iterator_is_lazy(account, container):
    fill(account, container, ["a", "b"])
    before = account.http.sent

    iterator = account.iter_objects(container)
    sent_before_first = account.http.sent - before
    first = next(iterator)

    assert sent_before_first == 0
    assert first.name == "a"


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"delimiter": "//"}, "exactly one character"),
        ({"limit": -1}, "invalid limit"),
        ({"marker": "a\x00"}, "NUL"),
        ({"prefix": "bad\udc80"}, "not valid UTF-8"),
    ],
)
def test_bad_listing_options_send_nothing(account, container, options, fragment):
    before = account.http.sent

    with pytest.raises(errors.InvalidInputError, match=fragment):
        account.iter_objects(container, **options)

    assert account.http.sent == before


# -- manifests -------------------------------------------------------------------------------


def test_dynamic_manifest_size_resolved(account, container):
    fill(account, container, ["parts/1", "parts/22"])
    account.request(
        "PUT",
        container,
        "joined",
        headers={"X-Object-Manifest": object_reference(container, "parts/")},
        data=b"",
        operation="create manifest",
    )

    plain = {e.name: e for e in account.list_objects(container)}
    resolved = {e.name: e for e in account.list_objects(container, resolve_manifests=True)}

    assert plain["joined"].bytes == 0
    assert resolved["joined"].bytes == len(b"parts/1parts/22")
    assert resolved["joined"].large_object == "dlo"
    assert resolved["parts/1"].large_object is None
    assert account.download_bytes(container, "joined") == b"parts/1parts/22"


def test_static_manifest_lists_full_size(account, container):
    account.upload_bytes(container, "big", b"z" * 100, segment_size=30)

    (entry,) = account.list_objects(container)

    assert entry.bytes == 100
    assert entry.large_object == "slo"


# -- bad responses ---------------------------------------------------------------------------


def test_html_listing_raises_invalid_response(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(f"^/v1/AUTH_[^/]+/{container}$", action="html", method="GET")

    with pytest.raises(errors.InvalidResponseError, match="HTML page"):
        account.list_objects(container)
