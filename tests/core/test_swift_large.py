"""Large objects: segmented uploads, manifests, overwrites and segment clean-up."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.progress import ProgressCounter
from ovhub_jupyter.core.swift_names import SwiftLimits
from ovhub_jupyter.core.swift_upload import plan_segment_size

SEGMENT = 64 * 1024


def segment_names(account, container):
    if not account.container_exists(container + "_segments"):
        return []
    return [entry.name for entry in account.list_objects(container + "_segments")]


# -- planning --------------------------------------------------------------------------------


def test_segment_size_capped_by_max_file_size():
    limits = SwiftLimits(max_file_size=100, max_manifest_segments=1000)

    assert plan_segment_size(1000, 500, limits) == 100


def test_segment_size_grows_to_fit_manifest():
    limits = SwiftLimits(max_file_size=10_000, max_manifest_segments=10)

    size = plan_segment_size(1001, 10, limits)

    assert size == 101
    assert -(-1001 // size) <= 10


def test_segment_size_respects_min_segment_size():
    limits = SwiftLimits(min_segment_size=50)

    assert plan_segment_size(1000, 10, limits) == 50


def test_object_too_large_for_cluster():
    limits = SwiftLimits(max_file_size=10, max_manifest_segments=3)

    with pytest.raises(errors.InvalidInputError, match="more than this cluster's largest large object"):
        plan_segment_size(31, 10, limits)


# -- static large objects --------------------------------------------------------------------


def test_file_uploads_as_static_large_object(account, container, tmp_path):
    data = os.urandom(5 * SEGMENT + 123)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    progress = ProgressCounter()

    result = account.upload_file(container, "big é?.bin", source, segment_size=SEGMENT, progress=progress)
    stat = account.stat_object(container, "big é?.bin")
    account.download_file(container, "big é?.bin", tmp_path / "back.bin")

    assert result.segments == 6
    assert stat.large_object == "slo"
    assert stat.bytes == len(data)
    assert (tmp_path / "back.bin").read_bytes() == data
    assert len(segment_names(account, container)) == 6
    assert progress.nbytes == len(data)
    assert account.read_range(container, "big é?.bin", SEGMENT - 10, SEGMENT + 10) == data[SEGMENT - 10 : SEGMENT + 10]


def test_segment_at_exact_boundary(account, container):
    data = os.urandom(2 * SEGMENT)

    result = account.upload_bytes(container, "exact", data, segment_size=SEGMENT)
    same_size = account.upload_bytes(container, "single", data[:SEGMENT], segment_size=SEGMENT)

    assert result.segments == 2
    assert same_size.segments == 0
    assert account.download_bytes(container, "exact") == data


def test_stream_uploads_segments_in_sequence(account, container):
    data = os.urandom(3 * SEGMENT + 7)
    chunks = (data[i : i + 10_000] for i in range(0, len(data), 10_000))

    result = account.upload_stream(container, "streamed", chunks, segment_size=SEGMENT)

    assert result.segments == 4
    assert result.bytes == len(data)
    assert account.download_bytes(container, "streamed") == data


def test_stream_of_exactly_one_segment_is_plain(account, container):
    data = os.urandom(SEGMENT)

    result = account.upload_stream(container, "one", io.BytesIO(data), segment_size=SEGMENT)

    assert result.segments == 0
    assert account.stat_object(container, "one").large_object is None


def test_stream_beyond_manifest_limit_fails_cleanly(account, container):
    account.info()
    account._info = {**account._info, "slo": {**account._info.get("slo", {}), "max_manifest_segments": 2}}
    data = os.urandom(3 * 1000)

    with pytest.raises(errors.InvalidInputError, match="more than 2 segments"):
        account.upload_stream(container, "too-long", io.BytesIO(data), segment_size=1000)

    assert segment_names(account, container) == []
    assert not account.object_exists(container, "too-long")


def test_dynamic_fallback_without_slo(account, container):
    account.info()
    account._info = {key: value for key, value in account._info.items() if key != "slo"}
    data = os.urandom(2 * SEGMENT + 1)

    result = account.upload_bytes(container, "dlo", data, segment_size=SEGMENT)
    stat = account.stat_object(container, "dlo")

    assert result.segments == 3
    assert stat.large_object == "dlo"
    assert account.download_bytes(container, "dlo") == data


# -- overwrites ------------------------------------------------------------------------------


def test_overwrite_segmented_with_segmented(account, container):
    old = os.urandom(3 * SEGMENT)
    new = os.urandom(2 * SEGMENT + 5)
    account.upload_bytes(container, "obj", old, segment_size=SEGMENT)
    old_segments = segment_names(account, container)

    account.upload_bytes(container, "obj", new, segment_size=SEGMENT)
    remaining = segment_names(account, container)

    assert account.download_bytes(container, "obj") == new
    assert len(old_segments) == 3
    assert len(remaining) == 3
    assert not set(old_segments) & set(remaining)


def test_overwrite_segmented_with_plain(account, container):
    account.upload_bytes(container, "obj", os.urandom(2 * SEGMENT), segment_size=SEGMENT)

    account.upload_bytes(container, "obj", b"small now", segment_size=SEGMENT)

    assert account.download_bytes(container, "obj") == b"small now"
    assert segment_names(account, container) == []


def test_overwrite_dynamic_keeps_other_objects(account, container):
    from ovhub_jupyter.core.swift_names import object_reference

    account.upload_bytes(container, "part-1", b"one")
    account.upload_bytes(container, "part-2", b"two")
    account.request(
        "PUT", container, "part", headers={"X-Object-Manifest": object_reference(container, "part")},
        data=b"", operation="create manifest",
    )

    account.upload_bytes(container, "part", b"plain")

    # The manifest's prefix matched its own name; the new object must survive.
    assert account.download_bytes(container, "part") == b"plain"
    assert [e.name for e in account.list_objects(container)] == ["part"]


def test_failed_manifest_keeps_old_object(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    old = os.urandom(2 * SEGMENT)
    account.upload_bytes(container, "obj", old, segment_size=SEGMENT)
    before = segment_names(account, container)
    sandbox_server.sandbox.add_fault(f"^/v1/AUTH_[^/]+/{container}/obj$", method="PUT", status=400)

    with pytest.raises(errors.BadRequestError):
        account.upload_bytes(container, "obj", os.urandom(3 * SEGMENT), segment_size=SEGMENT)

    assert account.download_bytes(container, "obj") == old
    assert segment_names(account, container) == before


def test_failed_segment_removes_new_segments(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(f"^/v1/AUTH_[^/]+/{container}_segments/.*/00000001$", method="PUT", status=500, count=50)

    with pytest.raises(errors.ServerError):
        account.upload_bytes(container, "obj", os.urandom(3 * SEGMENT), segment_size=SEGMENT)

    assert not account.object_exists(container, "obj")
    assert segment_names(account, container) == []


def test_only_failing_segment_is_resent(sandbox_server):
    account = sandbox_server.account()
    container = sandbox_server.new_container(account)
    sandbox_server.sandbox.add_fault(f"^/v1/AUTH_[^/]+/{container}_segments/.*/00000001$", method="PUT", status=503, count=2)
    data = os.urandom(3 * SEGMENT)

    account.upload_bytes(container, "obj", data, segment_size=SEGMENT)
    puts = [r for r in sandbox_server.sandbox.requests() if r["method"] == "PUT" and f"/{container}_segments/" in r["path"]]

    assert account.download_bytes(container, "obj") == data
    assert sorted(r["path"].rsplit("/", 1)[1] for r in puts) == ["00000000", "00000001", "00000001", "00000001", "00000002"]


# -- deletes ---------------------------------------------------------------------------------


def test_delete_static_large_object_with_segments(account, container):
    account.upload_bytes(container, "obj", os.urandom(2 * SEGMENT + 1), segment_size=SEGMENT)

    account.delete_object(container, "obj")

    assert not account.object_exists(container, "obj")
    assert segment_names(account, container) == []


def test_delete_keep_segments(account, container):
    account.upload_bytes(container, "obj", os.urandom(2 * SEGMENT + 1), segment_size=SEGMENT)

    account.delete_object(container, "obj", keep_segments=True)

    assert len(segment_names(account, container)) == 3


def test_delete_dynamic_large_object_with_segments(account, container):
    account.info()
    account._info = {key: value for key, value in account._info.items() if key != "slo"}
    account.upload_bytes(container, "dlo", os.urandom(2 * SEGMENT + 1), segment_size=SEGMENT)

    account.delete_object(container, "dlo")

    assert not account.object_exists(container, "dlo")
    assert segment_names(account, container) == []


def test_delete_prefix_removes_static_segments(account, container):
    account.upload_bytes(container, "dir/big", os.urandom(2 * SEGMENT + 1), segment_size=SEGMENT)
    account.upload_bytes(container, "dir/small", b"s")

    result = account.delete_prefix(container, "dir/")

    assert result.deleted == 2
    assert account.list_objects(container) == []
    assert segment_names(account, container) == []


def test_manifest_etag_checked(account, container):
    data = os.urandom(2 * SEGMENT + 3)
    parts = [data[i : i + SEGMENT] for i in range(0, len(data), SEGMENT)]
    expected = hashlib.md5("".join(hashlib.md5(p).hexdigest() for p in parts).encode()).hexdigest()

    result = account.upload_bytes(container, "obj", data, segment_size=SEGMENT)

    assert result.etag == expected
    assert account.stat_object(container, "obj").etag == expected
