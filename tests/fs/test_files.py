"""Opened objects: ranged and cached reads, streaming writes, large objects, aborts and expiring tokens."""

from __future__ import annotations

import os

import pytest

from ovhub_jupyter.fs import HubicFileSystem, SwiftFileSystem

# Segment size of the large object tests: small enough to keep them quick, while every
# large write below spans several segments.
SEGMENT = 1024 * 1024


def segment_names(fs, container):
    """Return the names in the container's segments container ([] when it does not exist)."""
    try:
        return [info.name for info in fs.storage.list_objects(container + "_segments")]
    except FileNotFoundError:
        return []


def write_in_pieces(handle, data, piece=100_000):
    for offset in range(0, len(data), piece):
        handle.write(data[offset : offset + piece])


def test_large_write_stores_one_object(any_fs, container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=any_fs.provider)
    data = os.urandom(3 * SEGMENT + 12345)

    with fs.open(f"{container}/big.bin", "wb", block_size=256 * 1024) as handle:
        write_in_pieces(handle, data)
    stat = fs.storage.stat_object(container, "big.bin")
    listed = fs.ls(container, detail=True)

    assert stat.large_object == "slo"
    assert stat.bytes == len(data)
    assert [entry["name"] for entry in listed] == [f"{container}/big.bin"]
    assert listed[0]["size"] == len(data)
    assert len(segment_names(fs, container)) == 4
    assert fs.cat_file(f"{container}/big.bin") == data


def test_ranged_reads_cross_segment_boundaries(any_fs, container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, part_size=300_000, provider=any_fs.provider)
    data = os.urandom(3 * SEGMENT + 777)
    fs.pipe_file(f"{container}/slo.bin", data)
    boundaries = [SEGMENT, 2 * SEGMENT, 3 * SEGMENT]

    for boundary in boundaries:
        assert fs.cat_file(f"{container}/slo.bin", boundary - 10, boundary + 10) == data[boundary - 10 : boundary + 10]
    with fs.open(f"{container}/slo.bin", "rb", block_size=64 * 1024) as handle:
        handle.seek(SEGMENT - 3)
        assert handle.read(6) == data[SEGMENT - 3 : SEGMENT + 3]
        handle.seek(-100, 2)
        assert handle.read() == data[-100:]
    # Several parts read at once, across all four segments.
    assert fs.read_range(f"{container}/slo.bin", 5, len(data) - 5) == data[5:-5]
    assert fs.cat_file(f"{container}/slo.bin", -50) == data[-50:]
    assert fs.cat_file(f"{container}/slo.bin", 10, -10) == data[10:-10]


def test_read_past_end_returns_what_exists(swift_fs, sandbox_container):
    path = f"{sandbox_container}/short.txt"
    swift_fs.pipe_file(path, b"0123456789")

    assert swift_fs.cat_file(path, 5, 100) == b"56789"
    assert swift_fs.cat_file(path, 20, 30) == b""
    assert swift_fs.read_range(path, 0, 10 * swift_fs.part_size) == b"0123456789"


def test_exception_in_write_stores_nothing(any_fs, container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=any_fs.provider)
    data = os.urandom(2 * SEGMENT + 5)

    with pytest.raises(RuntimeError, match="stopped by the test"):
        with fs.open(f"{container}/broken.bin", "wb", block_size=256 * 1024) as handle:
            write_in_pieces(handle, data)
            handle.flush()
            raise RuntimeError("stopped by the test")

    assert not fs.exists(f"{container}/broken.bin")
    assert segment_names(fs, container) == []


def test_text_mode_exception_stores_nothing(swift_fs, sandbox_container):
    path = f"{sandbox_container}/notes.txt"

    with pytest.raises(ValueError, match="bad row"):
        with swift_fs.open(path, "w", encoding="utf-8") as handle:
            handle.write("first line\n")
            raise ValueError("bad row")

    assert not swift_fs.exists(path)


def test_failed_manifest_leaves_no_segments(swift_fs, sandbox, sandbox_container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=swift_fs.provider)
    account_path = fs.storage.provider.get().storage_url.split("/v1/", 1)[1]
    # The segments go to <container>_segments, so this rule only hits the manifest PUT.
    sandbox.add_fault(f"/v1/{account_path}/{sandbox_container}/manifest-fails.bin", method="PUT", status=400)

    with pytest.raises(ValueError):
        with fs.open(f"{sandbox_container}/manifest-fails.bin", "wb", block_size=256 * 1024) as handle:
            write_in_pieces(handle, os.urandom(2 * SEGMENT + 5))

    assert not fs.exists(f"{sandbox_container}/manifest-fails.bin")
    assert segment_names(fs, sandbox_container) == []


def test_small_write_goes_up_on_close(any_fs, container):
    path = f"{container}/small.txt"

    handle = any_fs.open(path, "wb")
    handle.write(b"hello ")
    handle.write(b"world")
    visible_before_close = any_fs.exists(path)
    handle.close()

    assert not visible_before_close
    assert any_fs.cat_file(path) == b"hello world"
    assert any_fs.storage.stat_object(container, "small.txt").large_object is None


def test_exclusive_open_refuses_existing_object(swift_fs, sandbox_container):
    path = f"{sandbox_container}/once.txt"
    with swift_fs.open(path, "xb") as handle:
        handle.write(b"first")

    with pytest.raises(FileExistsError):
        swift_fs.open(path, "xb")
    with pytest.raises(FileExistsError):
        swift_fs.pipe_file(path, b"second", mode="create")
    assert swift_fs.cat_file(path) == b"first"


def test_exclusive_write_race_raises(swift_fs, sandbox_container):
    path = f"{sandbox_container}/race.txt"
    handle = swift_fs.open(path, "xb")
    handle.write(b"late")
    # Another writer stores the object between the open and the close.
    swift_fs.pipe_file(path, b"early")

    with pytest.raises(FileExistsError):
        handle.close()
    assert swift_fs.cat_file(path) == b"early"


def test_transaction_commits_on_success(swift_fs, sandbox_container):
    path = f"{sandbox_container}/in-transaction.bin"

    with swift_fs.transaction:
        with swift_fs.open(path, "wb") as handle:
            handle.write(b"committed at the end")
        visible_inside = swift_fs.exists(path)

    assert not visible_inside
    assert swift_fs.cat_file(path) == b"committed at the end"


def test_transaction_discards_on_error(swift_fs, sandbox_container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=swift_fs.provider)
    path = f"{sandbox_container}/rolled-back.bin"

    with pytest.raises(KeyError):
        with fs.transaction:
            with fs.open(path, "wb", block_size=256 * 1024) as handle:
                write_in_pieces(handle, os.urandom(2 * SEGMENT + 1))
            raise KeyError("rolled back by the test")

    assert not fs.exists(path)
    assert segment_names(fs, sandbox_container) == []


def test_append_is_rejected(swift_fs, sandbox_container):
    with pytest.raises(NotImplementedError, match="appended"):
        swift_fs.open(f"{sandbox_container}/log.txt", "ab")


def test_opening_folder_for_reading_fails(swift_fs, sandbox_container):
    swift_fs.pipe_file(f"{sandbox_container}/folder/inside.txt", b"x")

    with pytest.raises(IsADirectoryError):
        swift_fs.open(f"{sandbox_container}/folder", "rb")


def served_requests(sandbox, path):
    return [(entry["method"], entry["status"]) for entry in sandbox.requests() if entry["path"] == path]


@pytest.mark.parametrize("kind", ["swift", "hubic"])
def test_token_expiry_mid_read_refreshes(kind, sandbox, sandbox_accounts):
    fs = SwiftFileSystem(skip_instance_cache=True, account="swift") if kind == "swift" else HubicFileSystem()
    container = "default" if kind == "hubic" else "data"
    path = f"{container}/token-expiry.bin"
    data = os.urandom(300_000)
    fs.pipe_file(path, data)
    object_path = "/" + fs.provider.get().storage_url.split("/", 3)[3] + f"/{path}"
    handle = fs.open(path, "rb", block_size=100_000, cache_type="bytes")
    first = handle.read(100_000)
    # Every token expires when the next read reaches the server; the one after it passes.
    sandbox.add_fault(object_path, method="GET", action="expire_tokens")

    rest = handle.read()
    handle.close()
    statuses = [status for method, status in served_requests(sandbox, object_path) if method == "GET"]
    fs.rm(path)

    assert first + rest == data
    assert 401 in statuses
    assert statuses[-1] == 206


def test_read_cache_by_read_size(sandbox, swift_fs, sandbox_container):
    path = f"{sandbox_container}/blocks.bin"
    data = os.urandom(1_000_000)
    swift_fs.pipe_file(path, data)

    with swift_fs.open(path, "rb", block_size=200_000) as handle:
        first = sandbox.request_count()
        small = [handle.read(1000) for _ in range(100)]
        after_small = sandbox.request_count() - first
        handle.seek(300_000)
        large = handle.read(500_000)
        after_large = sandbox.request_count() - first
        handle.seek(50_000)
        again = handle.read(1000)
        after_again = sandbox.request_count() - first

    assert b"".join(small) == data[:100_000]
    assert large == data[300_000:800_000]
    assert again == data[50_000:51_000]
    assert after_small == 1
    assert after_large == 2
    assert after_again == 2


def test_parquet_read_sends_one_head(sandbox, sandbox_options, sandbox_container):
    import pandas as pd

    fs = SwiftFileSystem(skip_instance_cache=True, **sandbox_options)
    pd.DataFrame({"x": range(1000)}).to_parquet(f"{sandbox_container}/one.parquet", filesystem=fs)
    fs.invalidate_cache()
    object_path = "/" + fs.provider.get().storage_url.split("/", 3)[3] + f"/{sandbox_container}/one.parquet"
    first = sandbox.request_count()

    frame = pd.read_parquet(f"{sandbox_container}/one.parquet", filesystem=fs)
    sent = sandbox.requests()[-(sandbox.request_count() - first):]

    assert frame["x"].sum() == sum(range(1000))
    assert [entry["method"] for entry in sent if entry["path"] == object_path].count("HEAD") == 1
