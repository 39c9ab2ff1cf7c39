"""Folder uploads over existing objects: one listing replaces a HEAD per file, and the old
segments of replaced large objects are still deleted."""

from __future__ import annotations

import os

from ovhub_jupyter.core import swift_upload
from ovhub_jupyter.core.swift_names import object_reference

SEGMENT = 64 * 1024


def make_folder(root, files):
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def segment_names(account, container):
    if not account.container_exists(container + "_segments"):
        return []
    return [entry.name for entry in account.list_objects(container + "_segments")]


def test_new_files_need_no_head(account, container, tmp_path):
    files = {f"dir/file-{index}.txt": f"content {index}".encode() for index in range(10)}
    folder = make_folder(tmp_path / "src", files)
    account.upload_bytes(container, "dir/file-0.txt", b"an older plain object")
    account.info()
    sent_before = account.http.sent

    account.upload_folder(container, folder)
    sent = account.http.sent - sent_before

    # One PUT a file, and the listing: at most one page and the empty page that ends it.
    assert sent <= len(files) + 2
    assert account.download_bytes(container, "dir/file-0.txt") == b"content 0"


def test_replaced_static_object_loses_segments(account, container, tmp_path):
    account.upload_bytes(container, "big.bin", os.urandom(3 * SEGMENT), segment_size=SEGMENT)
    folder = make_folder(tmp_path / "src", {"big.bin": b"small now", "other.txt": b"other"})

    account.upload_folder(container, folder, segment_size=SEGMENT)

    assert account.download_bytes(container, "big.bin") == b"small now"
    assert account.stat_object(container, "big.bin").large_object is None
    assert segment_names(account, container) == []


def test_replaced_dynamic_object_loses_segments(account, container, tmp_path):
    segments = container + "_segments"
    account.create_container(segments)
    account.upload_bytes(segments, "big.bin/1", b"one")
    account.upload_bytes(segments, "big.bin/2", b"two")
    account.request(
        "PUT", container, "big.bin", headers={"X-Object-Manifest": object_reference(segments, "big.bin/")},
        data=b"", operation="create manifest",
    )
    folder = make_folder(tmp_path / "src", {"big.bin": b"plain now"})

    account.upload_folder(container, folder)

    assert account.download_bytes(container, "big.bin") == b"plain now"
    assert segment_names(account, container) == []


def test_crowded_prefix_falls_back_to_head(account, container, tmp_path, monkeypatch):
    monkeypatch.setattr(swift_upload, "REPLACED_LISTING_ENTRIES_PER_FILE", 0)
    account.upload_bytes(container, "big.bin", os.urandom(2 * SEGMENT), segment_size=SEGMENT)
    folder = make_folder(tmp_path / "src", {"big.bin": b"small now"})

    account.upload_folder(container, folder)

    assert account.download_bytes(container, "big.bin") == b"small now"
    assert segment_names(account, container) == []
