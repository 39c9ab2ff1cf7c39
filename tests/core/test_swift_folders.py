"""Folder transfers: relative paths kept, prefixes, folder markers and names no file can have."""

from __future__ import annotations

import os

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.progress import ProgressCounter
from ovhub_jupyter.core.swift_download import local_relative_path

TREE = {
    "top.txt": b"top",
    "sub dir/été.csv": b"a,b\n",
    "sub dir/deeper/#hash?.bin": os.urandom(70_000),
    "empty.dat": b"",
}


def make_tree(root, files):
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_folder_round_trip(account, container, tmp_path):
    make_tree(tmp_path / "src", TREE)
    (tmp_path / "src" / "nothing inside").mkdir()
    sent, received = ProgressCounter(), ProgressCounter()

    uploaded = account.upload_folder(container, tmp_path / "src", prefix="backup/", progress=sent)
    names = sorted(e.name for e in account.list_objects(container))
    downloaded = account.download_folder(container, tmp_path / "dst", prefix="backup/", progress=received)

    assert names == sorted("backup/" + relative for relative in TREE)
    assert read_tree(tmp_path / "dst") == TREE
    assert all(result.ok for result in uploaded + downloaded)
    assert sent.files == received.files == len(TREE)
    assert sent.nbytes == received.nbytes == sum(len(data) for data in TREE.values())


def test_folder_with_large_file_segments(account, container, tmp_path):
    files = {"big.bin": os.urandom(200_000), "small.txt": b"s"}
    make_tree(tmp_path / "src", files)

    results = account.upload_folder(container, tmp_path / "src", segment_size=64 * 1024)
    account.download_folder(container, tmp_path / "dst")

    assert {r.name: r.segments for r in results} == {"big.bin": 4, "small.txt": 0}
    assert read_tree(tmp_path / "dst") == files


def test_download_prefix_drops_up_to_last_slash(account, container, tmp_path):
    for name in ["photos/2024-01.jpg", "photos/2024-02.jpg", "photos/2023-12.jpg"]:
        account.upload_bytes(container, name, name.encode())

    account.download_folder(container, tmp_path, prefix="photos/2024")

    assert sorted(read_tree(tmp_path)) == ["2024-01.jpg", "2024-02.jpg"]


def test_folder_marker_becomes_folder(account, container, tmp_path):
    account.upload_bytes(container, "dir/", b"")
    account.upload_bytes(container, "dir/file", b"f")

    account.download_folder(container, tmp_path)

    assert (tmp_path / "dir").is_dir()
    assert (tmp_path / "dir" / "file").read_bytes() == b"f"


def test_unsafe_names_are_not_written(account, container, tmp_path):
    for name in ["a//b", "/abs", "x/../escape", "ok"]:
        account.upload_bytes(container, name, b"data")

    results = account.download_folder(container, tmp_path / "out", raise_errors=False)
    failed = sorted(r.name for r in results if not r.ok)

    assert failed == ["/abs", "a//b", "x/../escape"]
    assert read_tree(tmp_path / "out") == {"ok": b"data"}
    assert not (tmp_path / "escape").exists()
    with pytest.raises(errors.InvalidInputError, match="cannot be saved as a local file"):
        account.download_folder(container, tmp_path / "again")


def test_upload_folder_rejects_undecodable_file_name(account, container, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "fine.txt").write_bytes(b"1")
    try:
        with open(os.path.join(os.fsencode(source), b"bad-\xff.txt"), "wb") as handle:
            handle.write(b"2")
    except OSError:
        pytest.skip("this file system refuses file names that are not valid UTF-8")
    before = account.http.sent

    with pytest.raises(errors.InvalidInputError, match="not valid UTF-8"):
        account.upload_folder(container, source)

    assert account.http.sent == before


def test_upload_missing_folder_is_rejected(account, container, tmp_path):
    with pytest.raises(errors.InvalidInputError, match="is not a folder"):
        account.upload_folder(container, tmp_path / "absent")


@pytest.mark.parametrize(
    "name, parts",
    [("a/b.txt", ["a", "b.txt"]), ("dir/", ["dir"]), ("x", ["x"]), ("é/ü", ["é", "ü"])],
)
def test_local_relative_path_accepts(name, parts):
    assert local_relative_path(name) == parts


@pytest.mark.parametrize("name", ["a//b", "/abs", "..", "a/./b", "a/../b", "//"])
def test_local_relative_path_rejects(name):
    with pytest.raises(errors.InvalidInputError):
        local_relative_path(name)
