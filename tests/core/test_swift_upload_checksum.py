"""How an upload checks its MD5: sent first as ETag for an object that may exist, computed
while sending for a new one, and a damaged new copy deleted and sent again."""

from __future__ import annotations

import hashlib
import io

import pytest

from ovhub_jupyter.core.progress import NullProgress
from ovhub_jupyter.core.swift_sources import BytesSource
from ovhub_jupyter.core.swift_transfer import PartProgress
from ovhub_jupyter.core.swift_upload import _put_part

DATA = bytes(range(256)) * 4096  # 1 MiB


class CountingSource(BytesSource):
    """Bytes in memory that count how many bytes every reader handed out."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def open(self, offset: int, length: int):
        reader = super().open(offset, length)
        source = self

        class Counting(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def read(self, size: int = -1) -> bytes:
                chunk = reader.read(size)
                source.bytes_read += len(chunk)
                return chunk

        return Counting()


def put(account, container, name, source, *, new_object):
    return _put_part(
        account, container, name, source, 0, source.size, {}, PartProgress(NullProgress()), None, new_object=new_object
    )


def test_new_object_read_once(account, container):
    source = CountingSource(DATA)

    etag = put(account, container, "new.bin", source, new_object=True)

    assert etag == hashlib.md5(DATA).hexdigest()
    assert source.bytes_read == len(DATA)
    assert account.download_bytes(container, "new.bin") == DATA


def test_existing_object_hashed_before_sending(account, container):
    source = CountingSource(DATA)

    etag = put(account, container, "existing.bin", source, new_object=False)

    assert etag == hashlib.md5(DATA).hexdigest()
    assert source.bytes_read == 2 * len(DATA)


@pytest.mark.parametrize("swift_server", ["sandbox"], indirect=True)
def test_damaged_new_copy_deleted_and_resent(swift_server, account, container):
    sandbox = swift_server.sandbox
    path = f"/v1/AUTH_{account.provider.get().storage_url.rsplit('AUTH_', 1)[1]}/{container}/damaged.bin"
    sandbox.add_fault(path, method="PUT", status=201, headers={"Etag": "0" * 32}, count=1)
    sandbox.control("DELETE", "requests")

    etag = put(account, container, "damaged.bin", CountingSource(DATA), new_object=True)

    sent = [(entry["method"], entry["status"]) for entry in sandbox.requests() if entry["path"] == path]
    assert etag == hashlib.md5(DATA).hexdigest()
    assert sent == [("PUT", 201), ("DELETE", 404), ("PUT", 201)]
    assert account.download_bytes(container, "damaged.bin") == DATA
