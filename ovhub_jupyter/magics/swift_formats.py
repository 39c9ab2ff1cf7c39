"""DataFrames to and from object bytes, for ``%swift read`` and ``%swift write``.

The format comes from ``--format`` or from the object name's extension (``.csv``,
``.tsv``, ``.json``, ``.jsonl``/``.ndjson``, ``.parquet``/``.pq``), after an optional
compression suffix (``.gz``, ``.bz2``, ``.xz``, ``.zst``). JSON is written as a list of
records with ISO dates, and JSON lines as one record a line, so both read back with the
same column names. pandas does the parsing and writing; its errors become one
``OvhubError`` that names the object and the format.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..core import errors

# Extension (lower case) to format.
FORMAT_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

# Compression suffix to the name pandas uses for it.
COMPRESSION_EXTENSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}

# Content type of a written object, by format, and by compression when there is one.
CONTENT_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
COMPRESSED_CONTENT_TYPES = {
    "gzip": "application/gzip",
    "bz2": "application/x-bzip2",
    "xz": "application/x-xz",
    "zstd": "application/zstd",
}

# Characters of a pandas error message kept in the one-line error.
MAX_REASON_LENGTH = 300


@dataclass(frozen=True)
class TableFormat:
    """The encoding of a table in an object's bytes: a format and a compression (or None)."""

    name: str
    compression: str | None = None

    @property
    def content_type(self) -> str:
        """Content type to store the object with."""
        if self.compression:
            return COMPRESSED_CONTENT_TYPES[self.compression]
        return CONTENT_TYPES[self.name]


def detect_format(object_name: str, explicit: str | None) -> TableFormat:
    """Return the format of ``object_name`` from ``explicit`` or the name's extension.

    Raise ``InvalidInputError`` when neither gives a format, or when a Parquet object has
    a compression suffix (Parquet compresses inside the file).
    """
    lowered = object_name.lower()
    compression = None
    for suffix, name in COMPRESSION_EXTENSIONS.items():
        if lowered.endswith(suffix):
            compression = name
            lowered = lowered[: -len(suffix)]
            break

    fmt = explicit
    if fmt is None:
        for suffix, name in FORMAT_EXTENSIONS.items():
            if lowered.endswith(suffix):
                fmt = name
                break
    if fmt is None:
        raise errors.InvalidInputError(
            f"cannot tell the format of {object_name!r} from its extension",
            hint="add --format csv, tsv, json, jsonl or parquet",
        )
    if fmt == "parquet" and compression:
        raise errors.InvalidInputError(
            f"{object_name!r}: a Parquet object cannot have a {compression} suffix",
            hint="Parquet compresses inside the file; drop the suffix",
        )
    return TableFormat(fmt, compression)


def parse_options(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Return ``--option KEY=VALUE`` items as keyword arguments; values are Python literals or text."""
    options: dict[str, Any] = {}
    for key, text in items:
        if not key.isidentifier():
            raise errors.InvalidInputError(f"invalid option name {key!r}", hint="use a pandas keyword such as sep or nrows")
        try:
            options[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            options[key] = text
    return options


def read_table(
    data: bytes,
    fmt: TableFormat,
    *,
    target: str,
    sep: str | None = None,
    nrows: int | None = None,
    options: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Parse the bytes of ``target`` as a DataFrame in format ``fmt``."""
    options = dict(options or {})
    buffer = io.BytesIO(data)
    try:
        frame = _read(buffer, fmt, sep, nrows, options)
    except (ValueError, TypeError, ImportError, KeyError, IndexError, OSError) as exc:
        raise _format_error("read", target, fmt, exc) from None
    return frame


def _read(buffer: io.BytesIO, fmt: TableFormat, sep: str | None, nrows: int | None, options: dict[str, Any]) -> pd.DataFrame:
    if fmt.name in ("csv", "tsv"):
        default_sep = "," if fmt.name == "csv" else "\t"
        return pd.read_csv(buffer, sep=sep or default_sep, nrows=nrows, compression=fmt.compression, **options)
    if sep is not None:
        raise ValueError("--sep applies to csv and tsv only")
    if fmt.name == "jsonl":
        return pd.read_json(buffer, lines=True, nrows=nrows, compression=fmt.compression, **options)
    if fmt.name == "json":
        frame = pd.read_json(buffer, compression=fmt.compression, **options)
    else:
        frame = pd.read_parquet(buffer, **options)
    # These readers have no row limit of their own.
    return frame if nrows is None else frame.head(nrows)


def write_table(
    frame: pd.DataFrame,
    fmt: TableFormat,
    *,
    target: str,
    index: bool = False,
    options: dict[str, Any] | None = None,
) -> bytes:
    """Return the bytes of ``frame`` in format ``fmt``."""
    options = dict(options or {})
    buffer = io.BytesIO()
    try:
        _write(frame, buffer, fmt, index, options)
    except (ValueError, TypeError, ImportError, KeyError, OSError) as exc:
        raise _format_error("write", target, fmt, exc) from None
    except Exception as exc:
        # pyarrow raises its own exception classes for columns it cannot convert.
        if type(exc).__module__.startswith("pyarrow"):
            raise _format_error("write", target, fmt, exc) from None
        raise
    return buffer.getvalue()


def _write(frame: pd.DataFrame, buffer: io.BytesIO, fmt: TableFormat, index: bool, options: dict[str, Any]) -> None:
    if fmt.name in ("csv", "tsv"):
        options.setdefault("sep", "," if fmt.name == "csv" else "\t")
        frame.to_csv(buffer, index=index, compression=fmt.compression, **options)
        return
    if fmt.name == "parquet":
        frame.to_parquet(buffer, index=True if index else None, **options)
        return
    # JSON records carry no index, so --index makes it a column.
    records = frame.reset_index() if index else frame
    lines = fmt.name == "jsonl"
    records.to_json(
        buffer, orient="records", lines=lines, date_format="iso", compression=fmt.compression, **options
    )


def _format_error(action: str, target: str, fmt: TableFormat, exc: BaseException) -> errors.OvhubError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    if len(reason) > MAX_REASON_LENGTH:
        reason = reason[: MAX_REASON_LENGTH - 1] + "…"
    label = fmt.name + (f" ({fmt.compression})" if fmt.compression else "")
    if isinstance(exc, ImportError):
        hint = "install the missing package in the kernel's environment"
    elif action == "read":
        hint = "check --format and the --option values, or read the object with %swift download"
    else:
        hint = "check --format and the --option values, or convert the columns the format cannot store"
    return errors.OvhubError(f"{type(exc).__name__}: {reason}", operation=f"{action} as {label}", target=target, hint=hint)
