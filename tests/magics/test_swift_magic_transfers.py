"""%swift upload and download: names under a prefix, folders, globs, odd names, failures."""

from __future__ import annotations

import hashlib
import os
import shlex
from pathlib import Path

import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from tests.magics.swift_magic_helpers import any_notebook, notebook, object_fault_path, real_notebook  # noqa: F401

# Names with every character that needs care in a URL or a shell line.
ODD_NAMES = ["with space.txt", "hash#1.txt", "100%.txt", "what?.txt", "a&b.txt", "c+d.txt", "été 東京.txt"]


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def make_tree(root: Path) -> dict[str, bytes]:
    """Write a small folder tree under ``root``; return relative path to content."""
    files = {
        "a.csv": b"x,y\n1,2\n",
        "sub/b.bin": os.urandom(3000),
        "sub/deeper/c.txt": b"deep",
        "sub/empty.txt": b"",
        "odd name #1/é.txt": "é".encode("utf-8"),
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def test_upload_file_keeps_base_name_under_prefix(any_notebook, tmp_path):
    container = any_notebook.new_container()
    (tmp_path / "report.csv").write_bytes(b"a,b\n")

    frame = any_notebook.run(f"upload {tmp_path / 'report.csv'} {container}/2024")

    assert frame["name"].tolist() == ["2024/report.csv"]
    assert frame["bytes"].tolist() == [4]
    assert frame["etag"].tolist() == [hashlib.md5(b"a,b\n").hexdigest()]
    assert any_notebook.storage.download_bytes(container, "2024/report.csv") == b"a,b\n"


def test_upload_to_container_root_and_with_name(notebook, tmp_path):
    container = notebook.new_container()
    (tmp_path / "r.txt").write_bytes(b"r")

    root = notebook.run(f"upload {tmp_path / 'r.txt'} {container}")
    renamed = notebook.run(f"upload {tmp_path / 'r.txt'} {container}/2024/ --name final.txt")

    assert root["name"].tolist() == ["r.txt"]
    assert renamed["name"].tolist() == ["2024/final.txt"]


def test_upload_creates_missing_container(notebook, tmp_path):
    container = f"new-{os.urandom(5).hex()}"
    notebook.forget_later(container)
    (tmp_path / "f.txt").write_bytes(b"f")

    notebook.run(f"upload {tmp_path / 'f.txt'} {container}")

    assert notebook.storage.download_bytes(container, "f.txt") == b"f"


def test_upload_glob_expands_files(notebook, tmp_path, monkeypatch):
    container = notebook.new_container()
    for name in ("a.csv", "b.csv", "c.txt"):
        (tmp_path / name).write_bytes(name.encode())
    monkeypatch.chdir(tmp_path)

    frame = notebook.run(f"upload '*.csv' {container}/csv")

    assert sorted(frame["name"]) == ["csv/a.csv", "csv/b.csv"]
    assert [e.name for e in notebook.storage.list_objects(container)] == ["csv/a.csv", "csv/b.csv"]


def test_folder_round_trip_keeps_md5s(any_notebook, tmp_path):
    container = any_notebook.new_container()
    files = make_tree(tmp_path / "data")

    uploaded = any_notebook.run(f"upload {tmp_path / 'data'} {container}/backup")
    downloaded = any_notebook.run(f"download {container}/backup/data/ {tmp_path / 'copy'}")

    assert sorted(uploaded["name"]) == sorted(f"backup/data/{relative}" for relative in files)
    assert sorted(downloaded["name"]) == sorted(uploaded["name"])
    for relative, content in files.items():
        copied = tmp_path / "copy" / relative
        assert md5_of(copied) == hashlib.md5(content).hexdigest(), relative
    etags = dict(zip(uploaded["name"], uploaded["etag"]))
    assert etags["backup/data/sub/b.bin"] == hashlib.md5(files["sub/b.bin"]).hexdigest()


def test_download_whole_container_to_default_folder(notebook, tmp_path, monkeypatch):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "x/y.txt", b"y")
    monkeypatch.chdir(tmp_path)

    frame = notebook.run(f"download {container}")

    assert (tmp_path / container / "x" / "y.txt").read_bytes() == b"y"
    assert frame["path"].tolist() == [str(Path(container) / "x" / "y.txt")]


def test_download_object_to_default_file_and_folder(notebook, tmp_path, monkeypatch):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "2024/report.csv", b"r")
    (tmp_path / "into").mkdir()
    monkeypatch.chdir(tmp_path)

    notebook.run(f"download {container}/2024/report.csv")
    notebook.run(f"download {container}/2024/report.csv into")
    notebook.run(f"download {container}/2024/report.csv renamed.csv")

    assert (tmp_path / "report.csv").read_bytes() == b"r"
    assert (tmp_path / "into" / "report.csv").read_bytes() == b"r"
    assert (tmp_path / "renamed.csv").read_bytes() == b"r"


def test_download_partial_name_is_a_prefix(notebook, tmp_path):
    container = notebook.new_container()
    for name in ("photos/2024-01.jpg", "photos/2024-02.jpg", "photos/2023-12.jpg"):
        notebook.storage.upload_bytes(container, name, name.encode())

    frame = notebook.run(f"download {container}/photos/2024 {tmp_path}")

    assert sorted(frame["name"]) == ["photos/2024-01.jpg", "photos/2024-02.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-01.jpg", "2024-02.jpg"]


def test_download_missing_object_is_not_found(notebook, tmp_path):
    container = notebook.new_container()

    message = notebook.error(f"download {container}/nothing {tmp_path / 'out'}")

    assert f"download '{container}/nothing' failed: no object is named 'nothing' or starts with it" in message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_round_trip(any_notebook, tmp_path, name):
    container = any_notebook.new_container("odd é#")
    local = tmp_path / name
    local.write_bytes(name.encode("utf-8"))
    quoted_target = shlex.quote(f"{container}/dir {name}")

    uploaded = any_notebook.run(f"upload {shlex.quote(str(local))} {quoted_target}")
    listed = any_notebook.run(f"ls {shlex.quote(container)}")
    any_notebook.run(f"download {shlex.quote(container + '/dir ' + name + '/' + name)} {shlex.quote(str(tmp_path / 'back'))}")
    deleted = any_notebook.run(f"rm {shlex.quote(container + '/dir ' + name + '/' + name)}")

    assert uploaded["name"].tolist() == [f"dir {name}/{name}"]
    assert listed["name"].tolist() == [f"dir {name}/{name}"]
    assert (tmp_path / "back").read_bytes() == name.encode("utf-8")
    assert deleted["deleted"].tolist() == [1]


def test_zero_byte_object_round_trip(any_notebook, tmp_path):
    container = any_notebook.new_container()
    (tmp_path / "empty.txt").write_bytes(b"")

    uploaded = any_notebook.run(f"upload {tmp_path / 'empty.txt'} {container}")
    listed = any_notebook.run(f"ls {container}")
    any_notebook.run(f"download {container}/empty.txt {tmp_path / 'back.txt'}")

    assert uploaded["etag"].tolist() == ["d41d8cd98f00b204e9800998ecf8427e"]
    assert listed["bytes"].tolist() == [0]
    assert listed["kind"].tolist() == ["object"]
    assert (tmp_path / "back.txt").read_bytes() == b""


def test_segment_size_config_makes_static_large_object(any_notebook, tmp_path):
    container = any_notebook.new_container()
    data = os.urandom(200 * 1024)
    (tmp_path / "big.bin").write_bytes(data)
    any_notebook.shell.run_line_magic("config", "SwiftMagics.segment_size = 65536")

    uploaded = any_notebook.run(f"upload {tmp_path / 'big.bin'} {container}")
    listed = any_notebook.run(f"ls {container}").set_index("name")
    any_notebook.run(f"download {container}/big.bin {tmp_path / 'back.bin'}")

    assert uploaded["segments"].tolist() == [4]
    assert listed.loc["big.bin", "kind"] == "slo"
    assert listed.loc["big.bin", "bytes"] == len(data)
    assert md5_of(tmp_path / "back.bin") == hashlib.md5(data).hexdigest()


def test_missing_local_file_fails_before_requests(notebook, tmp_path):
    container = notebook.new_container()
    (tmp_path / "here.txt").write_bytes(b"h")
    before = notebook.request_count()

    message = notebook.error(f"upload {tmp_path / 'here.txt'} {tmp_path / 'gone.txt'} {container}")
    glob_message = notebook.error(f"upload '{tmp_path}/*.nothing' {container}")

    assert f"local file or folder '{tmp_path / 'gone.txt'}' not found" in message
    assert "no local file or folder matches" in glob_message
    assert notebook.request_count() == before
    assert notebook.storage.list_objects(container) == []


def test_invalid_container_name_fails_before_requests(notebook, tmp_path):
    (tmp_path / "f.txt").write_bytes(b"f")
    before = notebook.request_count()

    long_name = "c" * 300
    messages = [
        notebook.error(f"upload {tmp_path / 'f.txt'} {long_name}"),
        notebook.error(f"ls {long_name}"),
        notebook.error("mkdir ''"),
        notebook.error("stat /object"),
    ]

    assert "invalid container name" in messages[0]
    assert "more than the limit of 256" in messages[0]
    assert "invalid container name" in messages[1]
    assert "it is empty" in messages[2]
    assert "it is empty" in messages[3]
    assert notebook.request_count() == before


def test_duplicate_object_names_rejected(notebook, tmp_path):
    container = notebook.new_container()
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_bytes(folder.encode())
    before = notebook.request_count()

    message = notebook.error(f"upload {tmp_path / 'one' / 'same.txt'} {tmp_path / 'two' / 'same.txt'} {container}")

    assert "would both be stored as 'same.txt'" in message
    assert notebook.request_count() == before


def test_interrupted_download_leaves_no_file(notebook, tmp_path):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "data.bin", os.urandom(50_000))
    notebook.sandbox.add_fault(object_fault_path(container, "data.bin"), method="GET", action="drop", count=20)

    out = tmp_path / "out"
    out.mkdir()

    message = notebook.error(f"download {container}/data.bin {out / 'data.bin'}")

    assert f"download '{container}/data.bin' failed" in message
    assert "the server closed the connection" in message
    # Neither the file nor its temporary partial file is left.
    assert list(out.iterdir()) == []


def test_rate_limit_and_unavailable_bursts_are_retried(notebook, tmp_path):
    container = notebook.new_container()
    (tmp_path / "f.txt").write_bytes(b"payload")
    path = object_fault_path(container, "f.txt")
    notebook.sandbox.add_fault(path, method="PUT", status=429, retry_after=0, count=2)
    notebook.sandbox.add_fault(path, method="GET", status=503, count=3)

    notebook.run(f"upload {tmp_path / 'f.txt'} {container}")
    notebook.run(f"download {container}/f.txt {tmp_path / 'back.txt'}")

    statuses = [r["status"] for r in notebook.sandbox.requests() if r["path"].endswith(f"/{container}/f.txt")]
    assert statuses.count(429) == 2
    assert statuses.count(503) == 3
    assert (tmp_path / "back.txt").read_bytes() == b"payload"


def test_account_option_uses_named_account(notebook, tmp_path):
    container = notebook.new_container(account="swift")
    (tmp_path / "f.txt").write_bytes(b"f")

    notebook.run(f"upload {tmp_path / 'f.txt'} {container} --account swift")
    on_swift = notebook.run(f"ls {container} --account swift")
    on_default = notebook.error(f"ls {container}")

    assert on_swift["name"].tolist() == ["f.txt"]
    assert "HTTP 404" in on_default
    assert REGISTRY.default == "hubic"


def test_ovhub_use_changes_default_account(notebook):
    container = notebook.new_container(account="swift")

    notebook.shell.run_line_magic("ovhub", "use swift")
    frame = notebook.run(f"ls {container}")

    assert frame.empty
    assert list(frame.columns)[0] == "name"


def test_upload_many_files_sends_no_head_per_object(notebook, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(20):
        (folder / f"file-{number:02d}.txt").write_text(f"line {number}\n")
    notebook.sandbox.control("DELETE", "requests")

    uploaded = notebook.run(f"upload {folder} default/head-check")

    object_heads = [
        entry for entry in notebook.sandbox.requests()
        if entry["method"] == "HEAD" and "/default/head-check/" in entry["path"]
    ]
    assert len(uploaded) == 20
    assert object_heads == []
    notebook.run("rm default --prefix head-check/")
