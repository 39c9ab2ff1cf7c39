"""The context of one ``%swift`` subcommand: the account's client, the notebook, progress, names.

A ``SwiftSession`` is built for each command by ``SwiftMagics`` from the chosen account
and the ``%config SwiftMagics`` settings. ``tracking`` gives a command one progress bar
for everything it does, even when that takes several core calls, each of which reports
its own totals (``CombinedProgress``). Names typed by the user are split and checked
here, before any request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..core import errors
from ..core.swift import SwiftAccount
from ..core.swift_names import validate_container_name, validate_object_name, validate_prefix
from ..widgets.progress import ProgressBar


class CombinedProgress:
    """Progress of several core calls shown on one bar: each call's totals add to the bar's.

    The core calls ``begin`` and ``end`` once per call. Here ``begin`` only adds the
    call's totals and ``end`` does nothing, because ``SwiftSession.tracking`` ends the bar
    once, when the whole command is over.
    """

    def __init__(self, bar: ProgressBar) -> None:
        self.bar = bar

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        self.bar.add_total(nbytes=total_bytes or 0, files=total_files or 0)

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        self.bar.advance(nbytes=nbytes, files=files)

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        self.bar.add_total(nbytes=nbytes, files=files)

    def end(self, *, failed: bool = False) -> None:
        pass


@dataclass
class SwiftSession:
    """One command's account client, notebook namespace and progress settings."""

    storage: SwiftAccount
    user_ns: dict[str, Any]
    show_progress: bool
    # Called with each new progress bar, so the magic can keep the last one.
    on_progress: Callable[[ProgressBar], None]

    @contextlib.contextmanager
    def tracking(self, description: str) -> Iterator[CombinedProgress]:
        """Show one progress bar for the block (after about a second), ended in its final state."""
        bar = ProgressBar(description, enabled=self.show_progress)
        self.on_progress(bar)
        bar.begin(description=description)
        failed = True
        try:
            yield CombinedProgress(bar)
            failed = False
        finally:
            bar.end(failed=failed)

    # -- names -------------------------------------------------------------------------------

    def container(self, text: str) -> str:
        """Return ``text`` as a container name, or raise ``InvalidInputError``."""
        return validate_container_name(text, self.storage.known_limits())

    def object_name(self, text: str) -> str:
        """Return ``text`` as an object name, or raise ``InvalidInputError``."""
        return validate_object_name(text, self.storage.known_limits())

    def prefix(self, text: str) -> str:
        """Return ``text`` as a listing prefix, or raise ``InvalidInputError``."""
        return validate_prefix(text)

    def target(self, text: str) -> tuple[str, str | None]:
        """Split ``CONTAINER[/OBJECT]`` at the first ``/``; the object is None when absent or empty."""
        container, _, name = text.partition("/")
        return self.container(container), (self.object_name(name) if name else None)

    def object_target(self, text: str) -> tuple[str, str]:
        """Split ``CONTAINER/OBJECT``, or raise ``InvalidInputError`` when the object is missing."""
        container, name = self.target(text)
        if name is None:
            raise errors.InvalidInputError(
                f"{text!r} names no object", hint="give CONTAINER/OBJECT, such as box/report.csv"
            )
        return container, name

    def ensure_container(self, container: str) -> None:
        """Create ``container`` when it does not exist (a HEAD, then a PUT only when needed).

        The HEAD comes first because an account may be allowed to write objects into a
        shared container but not to create containers.
        """
        if not self.storage.container_exists(container):
            self.storage.create_container(container)
