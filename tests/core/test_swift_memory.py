"""Memory stays flat: a 100 MiB object goes up and comes back through streams."""

from __future__ import annotations

import hashlib
import os
import tracemalloc

MIB = 1024 * 1024
SIZE_MIB = 100

# A generous bound for everything Python allocates during the transfer: the 8 MiB
# in-memory part of the upload spool, 1 MiB chunks and connection buffers.
PEAK_LIMIT = 40 * MIB


class HashingSink:
    """A writable stream that keeps only the MD5 and the length of what it receives."""

    def __init__(self) -> None:
        self.digest = hashlib.md5()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return len(data)


def test_hundred_mib_stream_keeps_memory_flat(real_server):
    account = real_server.account()
    container = real_server.new_container(account)
    block = os.urandom(MIB)
    expected = hashlib.md5()
    for _ in range(SIZE_MIB):
        expected.update(block)

    tracemalloc.start()
    try:
        uploaded = account.upload_stream(container, "big", (block for _ in range(SIZE_MIB)))
        sink = HashingSink()
        account.download_stream(container, "big", sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert uploaded.bytes == SIZE_MIB * MIB
    assert uploaded.etag == expected.hexdigest()
    assert sink.size == SIZE_MIB * MIB
    assert sink.digest.hexdigest() == expected.hexdigest()
    assert peak < PEAK_LIMIT, f"peak traced memory {peak / MIB:.1f} MiB"
