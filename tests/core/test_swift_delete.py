"""Deleting objects and containers: bulk delete, one by one, prefixes and non-empty containers."""

from __future__ import annotations

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.progress import ProgressCounter

NAMES = ["plain", "with space", "q?#%", "é/ü", "a+b&c"]


def requests_since(sandbox, count):
    """Return the sandbox's logged requests after the first ``count``."""
    return sandbox.requests()[-(sandbox.request_count() - count):] if sandbox.request_count() > count else []


def fill(account, container, names):
    for name in names:
        account.upload_bytes(container, name, b"x")


def test_delete_many_counts_missing(account, container):
    fill(account, container, NAMES)
    progress = ProgressCounter()

    result = account.delete_objects(container, NAMES + ["never-existed"], progress=progress)

    assert result.deleted == len(NAMES)
    assert result.not_found == 1
    assert result.failures == []
    assert account.list_objects(container) == []
    assert progress.files == len(NAMES) + 1
    assert progress.ended and not progress.failed


def test_bulk_delete_used_when_offered(sandbox_server):
    sandbox = sandbox_server.sandbox
    sandbox.update_settings(max_deletes_per_request=2)
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    fill(account, container, NAMES)
    before = sandbox.request_count()

    result = account.delete_objects(container, NAMES)
    sent = requests_since(sandbox, before)
    posts = [r for r in sent if r["method"] == "POST" and "bulk-delete" in r["query"]]
    deletes = [r for r in sent if r["method"] == "DELETE"]

    assert result.deleted == len(NAMES)
    assert len(posts) == 3
    assert deletes == []


def test_one_by_one_without_bulk_delete(sandbox_server):
    sandbox = sandbox_server.sandbox
    sandbox.update_settings(bulk_delete=False)
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    fill(account, container, NAMES)
    before = sandbox.request_count()

    result = account.delete_objects(container, NAMES + ["missing"])
    sent = requests_since(sandbox, before)
    posts = [r for r in sent if r["method"] == "POST" and "bulk-delete" in r["query"]]
    deletes = [r for r in sent if r["method"] == "DELETE"]

    assert account.limits().bulk_delete is False
    assert result.deleted == len(NAMES)
    assert result.not_found == 1
    assert posts == []
    assert len(deletes) == len(NAMES) + 1
    assert account.list_objects(container) == []


def test_delete_prefix_only_matching(account, container):
    fill(account, container, ["logs/1", "logs/2", "logs2", "keep/1"])

    result = account.delete_prefix(container, "logs/")

    assert result.deleted == 2
    assert [e.name for e in account.list_objects(container)] == ["keep/1", "logs2"]


def test_delete_prefix_across_pages(sandbox_server):
    sandbox_server.sandbox.update_settings(container_listing_limit=3, max_deletes_per_request=2)
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    fill(account, container, [f"o{i}" for i in range(8)])

    result = account.delete_prefix(container)

    assert result.deleted == 8
    assert account.list_objects(container) == []


def test_non_empty_container_raises_conflict(account, container):
    fill(account, container, ["a"])

    with pytest.raises(errors.ConflictError) as caught:
        account.delete_container(container)

    assert caught.value.status == 409
    assert "empty=True" in str(caught.value)
    assert account.container_exists(container)


def test_delete_container_emptying_first(account, container):
    fill(account, container, NAMES)

    result = account.delete_container(container, empty=True)

    assert result.deleted == len(NAMES)
    assert not account.container_exists(container)


def test_delete_missing_container_raises_not_found(account):
    with pytest.raises(errors.NotFoundError):
        account.delete_container("never-created-container-42")


def test_delete_missing_object_raises_not_found(account, container):
    with pytest.raises(errors.NotFoundError):
        account.delete_object(container, "nothing here")
