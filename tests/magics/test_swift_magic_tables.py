"""%swift read and write: DataFrames as csv, tsv, json, jsonl and parquet objects."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

from tests.magics.swift_magic_helpers import any_notebook, notebook, real_notebook  # noqa: F401

FORMATS = ["csv", "tsv", "json", "jsonl", "parquet"]


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["Paris", "Roubaix", "Montréal"],
            "count": [3, 0, 12],
            "ratio": [0.5, 1.25, -2.0],
        }
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_then_read_every_format(any_notebook, fmt):
    container = any_notebook.new_container()
    any_notebook.shell.user_ns["df"] = sample_frame()

    written = any_notebook.run(f"write df {container}/table.{fmt}")
    back = any_notebook.run(f"read {container}/table.{fmt}")

    assert written["name"].tolist() == [f"table.{fmt}"]
    assert written["bytes"].iloc[0] > 0
    pd.testing.assert_frame_equal(back, sample_frame(), check_dtype=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_objects_written_elsewhere(notebook, fmt):
    container = notebook.new_container()
    frame = sample_frame()
    encoded = {
        "csv": frame.to_csv(index=False).encode(),
        "tsv": frame.to_csv(index=False, sep="\t").encode(),
        "json": frame.to_json(orient="records").encode(),
        "jsonl": frame.to_json(orient="records", lines=True).encode(),
    }
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        encoded["parquet"] = buffer.getvalue()
    notebook.storage.upload_bytes(container, f"data.{fmt}", encoded[fmt])

    back = notebook.run(f"read {container}/data.{fmt}")

    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_read_format_option_overrides_extension(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "export.txt", b"a\tb\n1\t2\n")

    frame = notebook.run(f"read {container}/export.txt --format tsv")

    assert frame.to_dict("records") == [{"a": 1, "b": 2}]


def test_read_passes_pandas_options(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "semi.csv", b"a;b\n1;2\n3;4\n5;6\n")

    frame = notebook.run(f"read {container}/semi.csv --sep ';' --nrows 2 --option dtype=str")

    assert frame.to_dict("records") == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_read_compressed_csv(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "a.csv.gz", gzip.compress(b"x,y\n1,2\n"))

    frame = notebook.run(f"read {container}/a.csv.gz")

    assert frame.to_dict("records") == [{"x": 1, "y": 2}]


def test_write_index_and_compression(notebook):
    container = notebook.new_container()
    notebook.shell.user_ns["df"] = sample_frame().set_index("city")

    notebook.run(f"write df {container}/t.csv.gz --index")
    stored = gzip.decompress(notebook.storage.download_bytes(container, "t.csv.gz"))

    assert stored.splitlines()[0] == b"city,count,ratio"
    assert notebook.storage.stat_object(container, "t.csv.gz").content_type == "application/gzip"


def test_write_sets_content_type(notebook):
    container = notebook.new_container()
    notebook.shell.user_ns["df"] = sample_frame()

    notebook.run(f"write df {container}/t.parquet")

    assert notebook.storage.stat_object(container, "t.parquet").content_type == "application/vnd.apache.parquet"


def test_read_unknown_extension_fails_before_requests(notebook):
    container = notebook.new_container()
    before = notebook.request_count()

    message = notebook.error(f"read {container}/notes.xyz")

    assert "cannot tell the format of 'notes.xyz'" in message
    assert "--format" in message
    assert notebook.request_count() == before


def test_read_bad_content_is_one_line_error(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "broken.parquet", b"not parquet at all")

    message = notebook.error(f"read {container}/broken.parquet")

    assert f"read as parquet '{container}/broken.parquet' failed" in message


def test_write_missing_variable_fails_before_requests(notebook):
    container = notebook.new_container()
    notebook.shell.user_ns["numbers"] = [1, 2, 3]
    before = notebook.request_count()

    missing = notebook.error(f"write nothing_here {container}/t.csv")
    wrong_type = notebook.error(f"write numbers {container}/t.csv")

    assert "no variable named 'nothing_here'" in missing
    assert "'numbers' is a list, not a DataFrame" in wrong_type
    assert notebook.request_count() == before
