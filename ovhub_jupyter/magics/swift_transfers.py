"""The ``%swift`` subcommands that move bytes: upload, download, read, write and put.

Uploads are planned in full before the first request: globs are expanded, folders
walked, every local path checked and every object name validated, so a typo in the
last argument fails before anything is sent. A file keeps its name under the prefix
(``report.csv`` to ``box/2024`` gives ``2024/report.csv``), and a folder keeps its own
name and the relative paths of its files (``data`` to ``box/2024`` gives
``2024/data/a.csv``). The destination container is created when it is missing.
"""

from __future__ import annotations

import argparse
import glob
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core import errors
from ..core.swift_results import TransferResult
from ..frames import swift as swift_frames
from .swift_formats import detect_format, parse_options, read_table, write_table
from .swift_session import CombinedProgress, SwiftSession

# Characters that make a local path a glob pattern.
_GLOB_CHARACTERS = re.compile(r"[*?[]")

# Local names that cannot be the base name of a file made from an object name.
_NOT_FILE_NAMES = ("", ".", "..")


@dataclass(frozen=True)
class PlannedUpload:
    """One local file and the object it becomes."""

    path: Path
    name: str
    size: int


# -- upload ----------------------------------------------------------------------------------


def upload(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Upload local files, folders and globs to ``CONTAINER[/PREFIX]``."""
    if len(arguments.paths) < 2:
        raise errors.InvalidInputError(
            "upload needs at least one local path and a destination",
            hint="such as %swift upload report.csv box/2024",
        )
    *sources, destination = arguments.paths
    container, prefix = session.target(destination)
    if prefix is None:
        prefix = ""
    elif not prefix.endswith("/"):
        prefix += "/"
    plan = plan_upload(session, sources, prefix, arguments.name)
    if not plan:
        return swift_frames.transfers_frame([])

    session.ensure_container(container)
    with session.tracking(f"upload to {container}") as progress:
        results = _run_uploads(session, container, plan, arguments.content_type, progress)
    _raise_first_failure(results, "upload")
    return swift_frames.transfers_frame(results)


def plan_upload(session: SwiftSession, sources: list[str], prefix: str, rename: str | None) -> list[PlannedUpload]:
    """Return every file to upload with its object name, or raise ``InvalidInputError``."""
    paths = [path for source in sources for path in expand_local(source)]
    if rename is not None and (len(paths) != 1 or not paths[0].is_file()):
        raise errors.InvalidInputError(
            "--name applies to exactly one file", hint="drop --name, or upload one file at a time"
        )

    plan: list[PlannedUpload] = []
    for path in paths:
        if path.is_dir():
            plan.extend(_plan_folder(session, path, prefix))
        elif path.is_file():
            plan.append(_planned(session, path, prefix + (rename or path.name)))
        else:
            raise errors.InvalidInputError(f"{str(path)!r} is not a regular file or a folder", hint="give files or folders")

    seen: dict[str, Path] = {}
    for item in plan:
        earlier = seen.setdefault(item.name, item.path)
        if earlier != item.path:
            raise errors.InvalidInputError(
                f"{str(earlier)!r} and {str(item.path)!r} would both be stored as {item.name!r}",
                hint="upload them to different prefixes",
            )
    return list({item.name: item for item in plan}.values())


def expand_local(source: str) -> list[Path]:
    """Return the local paths ``source`` names: itself when it exists, else its glob matches."""
    expanded = os.path.expanduser(source)
    if os.path.lexists(expanded):
        return [Path(expanded)]
    if _GLOB_CHARACTERS.search(source):
        matches = sorted(glob.glob(expanded, recursive=True))
        if not matches:
            raise errors.InvalidInputError(f"no local file or folder matches {source!r}", hint="check the pattern and the current folder")
        return [Path(match) for match in matches]
    raise errors.InvalidInputError(
        f"local file or folder {source!r} not found",
        hint=f"check the path; the current folder is {os.getcwd()!r}",
    )


def _plan_folder(session: SwiftSession, folder: Path, prefix: str) -> list[PlannedUpload]:
    # "." and ".." have no name of their own: their files go straight under the prefix.
    label = "" if folder.name in _NOT_FILE_NAMES else folder.name + "/"
    plan = []
    # Symbolic links to folders are not followed, so a link cycle cannot loop.
    for directory, subdirectories, filenames in os.walk(folder):
        subdirectories.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                plan.append(_planned(session, path, prefix + label + relative))
    return plan


def _planned(session: SwiftSession, path: Path, name: str) -> PlannedUpload:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise errors.InvalidInputError(f"cannot read {str(path)!r}: {exc.strerror}", hint="check the file's permissions") from None
    return PlannedUpload(path, session.object_name(name), size)


def _run_uploads(
    session: SwiftSession,
    container: str,
    plan: list[PlannedUpload],
    content_type: str | None,
    progress: CombinedProgress,
) -> list[TransferResult]:
    storage = session.storage
    if len(plan) == 1:
        # In this thread, so Ctrl-C stops the transfer at once.
        item = plan[0]
        return [storage.upload_file(container, item.name, item.path, content_type=content_type, progress=progress)]
    files = [(item.name, item.path) for item in plan]
    return storage.upload_files(container, files, content_type=content_type, progress=progress, raise_errors=False)


def _raise_first_failure(results: list[TransferResult], action: str) -> None:
    failures = [result for result in results if result.error is not None]
    if not failures:
        return
    first = failures[0].error
    assert first is not None
    if len(failures) == 1:
        raise first
    raise errors.OvhubError(
        f"{len(failures)} of {len(results)} {action}s failed; the first: {first}",
        hint="run the command again for the objects that failed",
    )


# -- download --------------------------------------------------------------------------------


def download(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Download an object to a file, or a container or prefix to a folder."""
    container, name = session.target(arguments.source)
    storage = session.storage
    if name is None:
        folder = Path(arguments.local) if arguments.local else _default_container_folder(container)
        return _download_folder(session, container, "", folder)

    if not name.endswith("/") and storage.object_exists(container, name):
        path = local_file_for(name, arguments.local)
        with session.tracking(f"download {name}") as progress:
            result = storage.download_file(container, name, path, progress=progress)
        return swift_frames.transfers_frame([result])

    folder = Path(arguments.local) if arguments.local else _default_prefix_folder(name)
    frame = _download_folder(session, container, name, folder)
    if frame.empty:
        raise errors.NotFoundError(
            f"no object is named {name!r} or starts with it",
            operation="download",
            target=f"{container}/{name}",
            service="swift",
            hint=f"list the container with %swift ls {container} to see its objects",
        )
    return frame


def _download_folder(session: SwiftSession, container: str, prefix: str, folder: Path) -> pd.DataFrame:
    with session.tracking(f"download {container}/{prefix}") as progress:
        results = session.storage.download_folder(container, folder, prefix=prefix, progress=progress)
    return swift_frames.transfers_frame(results)


def local_file_for(name: str, local: str | None) -> Path:
    """Return the local file an object downloads to: ``local``, or the object's last name component."""
    base = name.rsplit("/", 1)[-1]
    if local is not None:
        path = Path(local).expanduser()
        if not (path.is_dir() or local.endswith(("/", os.sep))):
            return path
        if base in _NOT_FILE_NAMES:
            raise _no_local_name(name)
        return path / base
    if base in _NOT_FILE_NAMES:
        raise _no_local_name(name)
    return Path(base)


def _no_local_name(name: str) -> errors.InvalidInputError:
    return errors.InvalidInputError(
        f"object {name!r} has no last name component to use as a local file name",
        hint="give the local file name as the second argument",
    )


def _default_container_folder(container: str) -> Path:
    if container in _NOT_FILE_NAMES:
        raise errors.InvalidInputError(
            f"container {container!r} cannot be a local folder name", hint="give the local folder as the second argument"
        )
    return Path(container)


def _default_prefix_folder(prefix: str) -> Path:
    # "2024/data/" goes to ./data, as it was uploaded from; "photos/2024" (a partial
    # name) goes to the current folder.
    if not prefix.endswith("/"):
        return Path(".")
    last = prefix.rstrip("/").rsplit("/", 1)[-1]
    return Path(".") if last in _NOT_FILE_NAMES else Path(last)


# -- DataFrames and cell text ----------------------------------------------------------------


def read(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Read an object into a DataFrame."""
    container, name = session.object_target(arguments.target)
    fmt = detect_format(name, arguments.format)
    options = parse_options(arguments.option)
    with session.tracking(f"read {name}") as progress:
        data = session.storage.download_bytes(container, name, progress=progress)
    return read_table(data, fmt, target=f"{container}/{name}", sep=arguments.sep, nrows=arguments.nrows, options=options)


def write(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Write a DataFrame variable of the notebook as an object."""
    frame = _dataframe_variable(session, arguments.variable)
    container, name = session.object_target(arguments.target)
    fmt = detect_format(name, arguments.format)
    options = parse_options(arguments.option)
    data = write_table(frame, fmt, target=f"{container}/{name}", index=arguments.index, options=options)

    session.ensure_container(container)
    with session.tracking(f"write {name}") as progress:
        result = session.storage.upload_bytes(container, name, data, content_type=fmt.content_type, progress=progress)
    return swift_frames.transfers_frame([result])


def _dataframe_variable(session: SwiftSession, variable: str) -> pd.DataFrame:
    if not variable.isidentifier():
        raise errors.InvalidInputError(f"{variable!r} is not a variable name", hint="give the name of a DataFrame, such as df")
    if variable not in session.user_ns:
        raise errors.InvalidInputError(f"no variable named {variable!r}", hint="run the cell that creates it first")
    value = session.user_ns[variable]
    if not isinstance(value, pd.DataFrame):
        raise errors.InvalidInputError(
            f"{variable!r} is a {type(value).__name__}, not a DataFrame",
            hint="convert it first, such as pd.DataFrame(value) or series.to_frame()",
        )
    return value


def put(session: SwiftSession, arguments: argparse.Namespace, text: str) -> pd.DataFrame:
    """Store a cell's text as an object, encoded as UTF-8."""
    container, name = session.object_target(arguments.target)
    content_type = arguments.content_type or mimetypes.guess_type(name)[0] or "text/plain"
    if content_type.startswith("text/") and "charset" not in content_type:
        content_type += "; charset=utf-8"
    data = text.encode("utf-8")

    session.ensure_container(container)
    with session.tracking(f"put {name}") as progress:
        result = session.storage.upload_bytes(container, name, data, content_type=content_type, progress=progress)
    return swift_frames.transfers_frame([result])
