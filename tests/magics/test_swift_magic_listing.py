"""%swift containers, ls, stat and info: DataFrames of fixed shape, on the sandbox and the real Swift."""

from __future__ import annotations

import hashlib

import pandas as pd

from ovhub_jupyter.frames.swift import CONTAINER_COLUMNS, OBJECT_COLUMNS
from tests.magics.swift_magic_helpers import any_notebook, notebook, real_notebook  # noqa: F401

OBJECT_DTYPES = {
    "name": "string",
    "bytes": "int64",
    "hash": "string",
    "last_modified": "datetime64[ns, UTC]",
    "content_type": "string",
    "kind": "string",
}


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in frame.dtypes.items()}


def test_containers_frame_lists_new_container(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "a", b"12345")

    frame = any_notebook.run("containers")

    assert list(frame.columns) == list(CONTAINER_COLUMNS)
    assert dtypes(frame) == {"name": "string", "count": "int64", "bytes": "int64", "last_modified": "datetime64[ns, UTC]"}
    assert container in frame["name"].tolist()
    if any_notebook.kind == "sandbox":
        # A real Swift updates the account listing's counts asynchronously.
        row = frame.set_index("name").loc[container]
        assert row["count"] == 1
        assert row["bytes"] == 5


def test_containers_prefix_and_limit(notebook):
    first = notebook.new_container("pfx")
    notebook.new_container("pfx")

    frame = notebook.run(f"containers --prefix {first[:4]} --limit 1")

    assert len(frame) == 1
    assert frame["name"].iloc[0].startswith("pfx-")


def test_ls_columns_and_values(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "report.csv", b"a,b\n1,2\n")

    frame = any_notebook.run(f"ls {container}")

    assert list(frame.columns) == list(OBJECT_COLUMNS)
    assert dtypes(frame) == OBJECT_DTYPES
    row = frame.iloc[0]
    assert row["name"] == "report.csv"
    assert row["bytes"] == 8
    assert row["hash"] == hashlib.md5(b"a,b\n1,2\n").hexdigest()
    assert row["content_type"] == "text/csv"
    assert row["kind"] == "object"
    assert row["last_modified"].tzname() == "UTC"


def test_ls_empty_container_keeps_columns_and_dtypes(any_notebook):
    container = any_notebook.new_container()

    frame = any_notebook.run(f"ls {container}")

    assert frame.empty
    assert list(frame.columns) == list(OBJECT_COLUMNS)
    assert dtypes(frame) == OBJECT_DTYPES


def test_ls_delimiter_marks_folders(any_notebook):
    container = any_notebook.new_container()
    for name in ("top.txt", "2024/a.csv", "2024/b.csv", "2025/c.csv"):
        any_notebook.storage.upload_bytes(container, name, b"x")

    frame = any_notebook.run(f"ls {container} --delimiter /")
    inside = any_notebook.run(f"ls {container} 2024/ --delimiter /")

    kinds = dict(zip(frame["name"], frame["kind"]))
    assert kinds == {"2024/": "folder", "2025/": "folder", "top.txt": "object"}
    assert frame.set_index("name").loc["2024/", "bytes"] == 0
    assert inside["name"].tolist() == ["2024/a.csv", "2024/b.csv"]


def test_ls_prefix_inline_or_separate(notebook):
    container = notebook.new_container()
    for name in ("a/1", "a/2", "b/1"):
        notebook.storage.upload_bytes(container, name, b"x")

    inline = notebook.run(f"ls {container}/a/")
    separate = notebook.run(f"ls {container} a/")

    assert inline["name"].tolist() == ["a/1", "a/2"]
    assert separate["name"].tolist() == ["a/1", "a/2"]


def test_ls_without_container_lists_containers(notebook):
    container = notebook.new_container()

    frame = notebook.run("ls")

    assert list(frame.columns) == list(CONTAINER_COLUMNS)
    assert container in frame["name"].tolist()


def test_ls_one_page_exactly(notebook):
    notebook.sandbox.update_settings(container_listing_limit=5)
    container = notebook.new_container()
    for index in range(5):
        notebook.storage.upload_bytes(container, f"o{index}", b"x")

    frame = notebook.run(f"ls {container}")

    assert frame["name"].tolist() == [f"o{index}" for index in range(5)]


def test_ls_one_page_plus_one(notebook):
    notebook.sandbox.update_settings(container_listing_limit=5)
    container = notebook.new_container()
    for index in range(6):
        notebook.storage.upload_bytes(container, f"o{index}", b"x")

    frame = notebook.run(f"ls {container}")
    limited = notebook.run(f"ls {container} --limit 6")

    assert frame["name"].tolist() == [f"o{index}" for index in range(6)]
    assert limited["name"].tolist() == [f"o{index}" for index in range(6)]


def test_ls_limit_stops_early(any_notebook):
    container = any_notebook.new_container()
    for name in "abcd":
        any_notebook.storage.upload_bytes(container, name, b"x")

    frame = any_notebook.run(f"ls {container} --limit 2")

    assert frame["name"].tolist() == ["a", "b"]


def test_ls_dynamic_large_object_shows_real_size(any_notebook):
    container = any_notebook.new_container()
    storage = any_notebook.storage
    storage.upload_bytes(container, "parts/000", b"a" * 10)
    storage.upload_bytes(container, "parts/001", b"b" * 7)
    storage.upload_bytes(container, "big", b"", headers={"X-Object-Manifest": f"{container}/parts/"})

    frame = any_notebook.run(f"ls {container}").set_index("name")
    raw = any_notebook.run(f"ls {container} --raw").set_index("name")

    assert frame.loc["big", "kind"] == "dlo"
    assert frame.loc["big", "bytes"] == 17
    assert raw.loc["big", "kind"] == "object"
    assert raw.loc["big", "bytes"] == 0


def test_ls_static_large_object_kind(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "big", bytes(3000), segment_size=1024)

    frame = any_notebook.run(f"ls {container}").set_index("name")

    assert frame.loc["big", "kind"] == "slo"
    assert frame.loc["big", "bytes"] == 3000


def test_stat_account_container_object(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "dir/o.txt", b"hello", metadata={"owner": "ana"})

    account = any_notebook.run("stat")
    box = any_notebook.run(f"stat {container}")
    joined = any_notebook.run(f"stat {container}/dir/o.txt")
    separate = any_notebook.run(f"stat {container} dir/o.txt")

    assert account["containers"].iloc[0] >= 1
    assert list(account.columns) == ["containers", "objects", "bytes", "quota_bytes", "metadata"]
    assert box["container"].iloc[0] == container
    assert box["objects"].iloc[0] == 1
    assert box["bytes"].iloc[0] == 5
    assert joined["bytes"].iloc[0] == 5
    assert joined["etag"].iloc[0] == hashlib.md5(b"hello").hexdigest()
    assert joined["kind"].iloc[0] == "object"
    assert joined["metadata"].iloc[0] == {"owner": "ana"}
    assert str(joined["last_modified"].dtype) == "datetime64[ns, UTC]"
    assert separate.equals(joined)


def test_info_lists_swift_limits(any_notebook):
    frame = any_notebook.run("info")

    assert list(frame.columns) == ["section", "key", "value"]
    swift = frame[frame["section"] == "swift"].set_index("key")["value"]
    assert swift["max_file_size"] > 0


def test_account_option_before_subcommand(notebook):
    before = notebook.shell.run_line_magic("swift", "--account swift containers")
    after = notebook.shell.run_line_magic("swift", "containers --account swift")

    assert before["name"].tolist() == after["name"].tolist()
    assert "data" in before["name"].tolist()
