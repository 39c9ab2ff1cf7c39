"""``%swift`` and ``%%swift``: Swift containers and objects from a notebook, as DataFrames.

The line magic runs one subcommand (``%swift ls box``). The cell magic runs a cell of
them, one per line, and returns the last result. ``%%swift put box/notes.txt`` stores
the cell's text as an object instead. Parsing is in ``swift_parser.py``, the subcommands in
``swift_commands.py`` and ``swift_transfers.py``, DataFrame formats in
``swift_formats.py``. ``%config SwiftMagics`` lists the settings: segment size,
concurrency, progress bars and short errors.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from IPython.core.magic import line_cell_magic, magics_class
from traitlets import Bool, Int, TraitError, validate

from ..core import errors
from ..core.accounts import REGISTRY
from ..core.swift import DEFAULT_CONCURRENCY, DEFAULT_SEGMENT_SIZE
from ..widgets.progress import ProgressBar
from . import swift_commands, swift_transfers
from .base import (
    HelpShown,
    MagicArgumentParser,
    OvhubMagicsBase,
    magic_command,
    move_leading_options,
    one_line,
    split_arguments,
)
from .swift_parser import build_parser
from .swift_session import SwiftSession

logger = logging.getLogger(__name__)

# Subcommand name to the function that runs it.
COMMANDS: dict[str, Callable[[SwiftSession, argparse.Namespace], Any]] = {
    "containers": swift_commands.containers,
    "ls": swift_commands.ls,
    "stat": swift_commands.stat,
    "info": swift_commands.info,
    "mkdir": swift_commands.mkdir,
    "rmdir": swift_commands.rmdir,
    "rm": swift_commands.rm,
    "copy": swift_commands.copy,
    "meta": swift_commands.meta,
    "tempurl": swift_commands.tempurl,
    "upload": swift_transfers.upload,
    "download": swift_transfers.download,
    "read": swift_transfers.read,
    "write": swift_transfers.write,
    "put": swift_commands.not_in_line_form,
}


class BatchLineError(errors.OvhubError):
    """A line of a ``%%swift`` cell failed; the message names the line."""


@magics_class
class SwiftMagics(OvhubMagicsBase):
    """The ``%swift`` and ``%%swift`` magics, with their settings for ``%config``."""

    segment_size = Int(
        DEFAULT_SEGMENT_SIZE,
        help="Segment size in bytes: larger files are uploaded as static large objects made of segments of this size.",
    ).tag(config=True)

    concurrency = Int(
        DEFAULT_CONCURRENCY,
        help="Files transferred at once, and segments of one large file sent at once.",
    ).tag(config=True)

    progress = Bool(
        True,
        help="Show a progress bar for uploads, downloads, deletes and listings that take more than about a second.",
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The progress bar of the last command (shown or not), for inspection.
        self.last_progress: ProgressBar | None = None

    @validate("segment_size")
    def _check_segment_size(self, proposal: Any) -> int:
        if proposal["value"] < 1:
            raise TraitError(f"invalid segment size {proposal['value']}: it must be at least 1 byte")
        return proposal["value"]

    @validate("concurrency")
    def _check_concurrency(self, proposal: Any) -> int:
        if proposal["value"] < 1:
            raise TraitError(f"invalid concurrency {proposal['value']}: it must be at least 1")
        return proposal["value"]

    @line_cell_magic
    @magic_command
    def swift(self, line: str = "", cell: str | None = None) -> Any:
        """Work with Swift containers and objects; results are pandas DataFrames.

        Line form, one subcommand (each takes --account NAME and --out NAME)::

          %swift containers                        containers: name, count, bytes, last_modified
          %swift ls box 2024/ --delimiter /        objects; folders are rows of kind "folder"
          %swift stat box/report.csv               the account, a container or an object
          %swift mkdir box                         create a container
          %swift rm box/a.csv box/b.csv            delete objects (--prefix P: all under P)
          %swift rmdir box --force                 delete a container (--force empties it)
          %swift upload report.csv data box/2024   files and folders (globs too) under a prefix
          %swift download box/2024/ local          an object, a prefix or a container
          %swift copy box/a.csv archive/a.csv      server-side copy
          %swift meta box/a.csv owner=ana stage=   read, set or (KEY=) remove metadata
          %swift tempurl box/a.csv --ttl 1h        a temporary URL, without a token
          %swift info                              the cluster's capabilities
          df = %swift read box/sales.parquet       csv, tsv, json, jsonl, parquet
          %swift write df box/sales.csv            a DataFrame variable as an object

        Cell form: one subcommand a line (blank lines and lines starting with # are
        skipped), the last result returned, stopping at the first failure::

          %%swift --account swift
          mkdir box
          upload data box

        ``%%swift put box/notes.txt`` stores the rest of the cell as a UTF-8 object.
        Run ``%swift --help`` and ``%swift SUBCOMMAND --help`` for every option.
        """
        if cell is None:
            return self._run_line(line)
        return self._run_cell(line, cell)

    # -- line form -------------------------------------------------------------------------

    def _run_line(self, line: str, default_account: str | None = None) -> Any:
        parser = build_parser()
        arguments = parser.parse_args(move_leading_options(split_arguments(line)))
        if arguments.command is None:
            parser.print_help()
            return None
        session = self._session(arguments.account or default_account)
        result = COMMANDS[arguments.command](session, arguments)
        return self.store_or_return(result, arguments.out)

    def _session(self, account_name: str | None) -> SwiftSession:
        account = REGISTRY.get(account_name)
        storage = account.storage()
        storage.concurrency = self.concurrency
        storage.segment_size = self.segment_size
        logger.debug("%%swift on account %s", account.name)
        return SwiftSession(storage, self.shell.user_ns, self.progress, self._keep_progress)

    def _keep_progress(self, bar: ProgressBar) -> None:
        self.last_progress = bar

    # -- cell form -------------------------------------------------------------------------

    def _run_cell(self, line: str, cell: str) -> Any:
        words = move_leading_options(split_arguments(line))
        if words[:1] == ["put"]:
            arguments = build_parser().parse_args(words)
            session = self._session(arguments.account)
            result = swift_transfers.put(session, arguments, cell)
            return self.store_or_return(result, arguments.out)

        account = _cell_parser().parse_args(words).account
        result = None
        for number, text in enumerate(cell.splitlines(), start=1):
            command = text.strip()
            if not command or command.startswith("#"):
                continue
            if command.startswith("%swift ") or command == "%swift":
                command = command[len("%swift") :]
            try:
                result = self._run_line(command, default_account=account)
            except HelpShown:
                result = None
            except Exception as exc:  # noqa: BLE001 - named with its line, then shown by magic_command
                raise BatchLineError(f"line {number} ({command.strip()}): {one_line(exc, type(self).__name__)}") from exc
        return result


def _cell_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%%swift",
        description="Run one %swift subcommand a line, or store the cell's text with %%swift put CONTAINER/OBJECT.",
        allow_abbrev=False,
    )
    parser.add_argument("--account", metavar="NAME", help="account for the lines that name none")
    return parser
