"""Objects and containers on a real server: transfers, metadata, copies, stats and errors."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.progress import ProgressCounter
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_sources import SourceChangedError

# Characters that every Swift client gets wrong at least once.
AWKWARD_NAMES = [
    "with space",
    "hash#tag",
    "100%",
    "what?",
    "a&b",
    "a+b",
    "été/ünïcödé/日本語",
    "emoji 🚀",
    "a//b",
    "/leading",
    "trailing/",
    "semi;colon=eq",
    "tilde~dot.",
    "%2F not a slash",
    "e\u0301 decomposed",
    "x/../dot-dot",
    "a/./dot",
    "..",
    "./start",
    "end/..",
]


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_awkward_names_round_trip(account, container, name):
    data = f"content of {name}".encode("utf-8")

    result = account.upload_bytes(container, name, data)
    listed = account.list_objects(container)
    stat = account.stat_object(container, name)
    stored = account.download_bytes(container, name)

    assert result.etag == hashlib.md5(data).hexdigest()
    assert [entry.name for entry in listed] == [name]
    assert stat.bytes == len(data)
    assert stored == data


def test_awkward_container_name_works(swift_server, account):
    container = swift_server.new_container(account, label="c #?%&+é")

    account.upload_bytes(container, "x", b"1")

    assert container in [c.name for c in account.list_containers(prefix="c #?%&+é")]
    assert account.download_bytes(container, "x") == b"1"


def test_zero_byte_object_round_trips(account, container, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")

    from_file = account.upload_file(container, "from-file", empty)
    from_bytes = account.upload_bytes(container, "from-bytes", b"")
    from_stream = account.upload_stream(container, "from-stream", io.BytesIO(b""))
    downloaded = account.download_file(container, "from-file", tmp_path / "out")

    for result in (from_file, from_bytes, from_stream):
        assert result.etag == "d41d8cd98f00b204e9800998ecf8427e"
        assert result.bytes == 0
    assert downloaded.bytes == 0
    assert (tmp_path / "out").read_bytes() == b""
    assert account.download_bytes(container, "from-stream") == b""


def test_file_upload_keeps_mtime(account, container, tmp_path):
    source = tmp_path / "data.csv"
    source.write_bytes(b"a,b\n1,2\n")
    os.utime(source, (1_600_000_000.25, 1_600_000_000.25))

    account.upload_file(container, "data.csv", source)
    stat = account.stat_object(container, "data.csv")
    account.download_file(container, "data.csv", tmp_path / "copy" / "data.csv")

    assert stat.mtime == pytest.approx(1_600_000_000.25)
    assert stat.content_type == "text/csv"
    assert os.stat(tmp_path / "copy" / "data.csv").st_mtime == pytest.approx(1_600_000_000.25)


def test_download_replaces_existing_file(account, container, tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old content")
    account.upload_bytes(container, "file.bin", b"new")

    account.download_file(container, "file.bin", target)

    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_stream_upload_from_iterable(account, container):
    chunks = [b"abc", b"", b"defg", bytearray(b"h")]

    result = account.upload_stream(container, "streamed", iter(chunks))

    assert result.bytes == 8
    assert account.download_bytes(container, "streamed") == b"abcdefgh"


def test_download_stream_writes_bytes(account, container):
    account.upload_bytes(container, "s", b"0123456789")
    sink = io.BytesIO()

    result = account.download_stream(container, "s", sink)

    assert sink.getvalue() == b"0123456789"
    assert result.etag == hashlib.md5(b"0123456789").hexdigest()


def test_ranged_reads(account, container):
    data = bytes(range(256)) * 4
    account.upload_bytes(container, "r", data)

    assert account.read_range(container, "r", 10, 20) == data[10:20]
    assert account.read_range(container, "r", 1000, 2000) == data[1000:]
    assert account.read_range(container, "r", 5000, 6000) == b""
    assert account.read_range(container, "r", 7, 7) == b""
    assert account.download_bytes(container, "r", byte_range=(1020, None)) == data[1020:]


def test_invalid_range_is_rejected(account, container):
    with pytest.raises(errors.InvalidInputError, match="invalid byte range"):
        account.read_range(container, "r", 10, 5)


def test_progress_counts_every_byte(account, container, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 5)
    source = tmp_path / "big"
    source.write_bytes(data)
    sent, received = ProgressCounter(), ProgressCounter()

    account.upload_file(container, "big", source, progress=sent)
    account.download_file(container, "big", tmp_path / "back", progress=received)

    for counter in (sent, received):
        assert counter.nbytes == len(data)
        assert counter.total_bytes == len(data)
        assert counter.files == 1
        assert counter.ended and not counter.failed


def test_object_metadata_merges_and_removes(account, container):
    account.upload_bytes(container, "m", b"x", metadata={"Project": "Été 2024", "keep": "yes"})

    account.set_object_metadata(container, "m", {"project": None, "added": "ünï"})
    stat = account.stat_object(container, "m")

    assert stat.metadata == {"keep": "yes", "added": "ünï"}


def test_object_metadata_replace_all(account, container):
    account.upload_bytes(container, "m", b"x", metadata={"a": "1"})

    account.set_object_metadata(container, "m", {"b": "2"}, replace_all=True)

    assert account.stat_object(container, "m").metadata == {"b": "2"}


def test_container_metadata_and_acl(account, container):
    account.set_container_metadata(container, {"owner": "Zoé"}, read_acl=".r:*,.rlistings")

    stat = account.stat_container(container)

    assert stat.metadata == {"owner": "Zoé"}
    assert stat.read_acl == ".r:*,.rlistings"


def test_account_metadata_set_and_removed(account):
    account.set_account_metadata({"ovhub-test": "on"})
    during = account.stat().metadata
    account.set_account_metadata({"ovhub-test": None})
    after = account.stat().metadata

    assert during.get("ovhub-test") == "on"
    assert "ovhub-test" not in after


def test_metadata_over_limit_sends_nothing(account, container):
    before = account.http.sent

    with pytest.raises(errors.InvalidInputError, match="limit of 256"):
        account.set_container_metadata(container, {"k": "v" * 300})

    assert account.http.sent == before


def test_server_side_copy(account, container, swift_server):
    other = swift_server.new_container(account, label="copy")
    account.upload_bytes(container, "src ?#", b"payload", metadata={"a": "1"})

    etag = account.copy_object(container, "src ?#", other, "dst %&", metadata={"b": "2"})
    stat = account.stat_object(other, "dst %&")

    assert etag == hashlib.md5(b"payload").hexdigest()
    assert account.download_bytes(other, "dst %&") == b"payload"
    assert stat.metadata == {"a": "1", "b": "2"}


def test_copy_onto_itself_is_rejected(account, container):
    with pytest.raises(errors.InvalidInputError, match="onto itself"):
        account.copy_object(container, "a")


def test_missing_object_raises_not_found(account, container):
    with pytest.raises(errors.NotFoundError) as caught:
        account.download_bytes(container, "nope")

    message = str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)
    assert caught.value.status == 404
    assert f"{container}/nope" in message
    assert "X-Trans-Id" in message
    assert account.object_exists(container, "nope") is False


def test_upload_to_missing_container_says_create_it(account):
    with pytest.raises(errors.NotFoundError, match="does not exist; create it first"):
        account.upload_bytes("no-such-container-x1", "a", b"1")


def test_container_lifecycle(account):
    name = f"life-{time.time_ns()}"

    created = account.create_container(name)
    again = account.create_container(name)
    exists = account.container_exists(name)
    account.delete_container(name)

    assert created is True
    assert again is False
    assert exists is True
    assert account.container_exists(name) is False


def test_stat_reports_usage(account, container):
    account.upload_bytes(container, "a", b"12345")

    stat = account.stat_container(container)
    account_stat = account.stat()

    assert stat.object_count == 1
    assert stat.bytes_used == 5
    assert account_stat.container_count >= 1


def test_info_is_cached(account):
    first = account.info()
    sent = account.http.sent
    second = account.info()

    assert first is second
    assert account.http.sent == sent
    assert account.limits().from_cluster is True


def test_account_pickles_without_token(account, container):
    token = account.provider.get().token
    account.upload_bytes(container, "p", b"pickled")

    restored: SwiftAccount = pickle.loads(pickle.dumps(account))

    assert token.encode() not in pickle.dumps(account)
    assert restored.download_bytes(container, "p") == b"pickled"
    assert token not in repr(account)
    assert token not in repr(account.provider.get())


def test_file_changed_during_upload_is_detected(account, container, tmp_path):
    source = tmp_path / "shrinking"
    source.write_bytes(b"x" * 100_000)

    class Truncate:
        def begin(self, **_):
            pass

        def add_total(self, **_):
            pass

        def advance(self, *, nbytes=0, files=0):
            if nbytes:
                source.write_bytes(b"short")

        def end(self, *, failed=False):
            pass

    with pytest.raises(SourceChangedError, match="changed while it was being uploaded"):
        account.upload_file(container, "shrinking", source, progress=Truncate())

    assert not account.object_exists(container, "shrinking")


def test_downloaded_file_gets_umask_mode(account, container, tmp_path):
    import os
    import stat

    account.upload_bytes(container, "mode.txt", b"mode")
    destination = tmp_path / "mode.txt"
    previous = os.umask(0o022)
    os.umask(previous)

    account.download_file(container, "mode.txt", destination)

    assert stat.S_IMODE(destination.stat().st_mode) == 0o666 & ~previous
