"""What every ovhub magic shares: argument parsing, one-line errors, settings, results.

- Arguments are parsed with ``argparse`` (subcommands need it), by a parser that raises
  ``MagicUsageError`` instead of exiting the kernel, and prints ``--help`` as the magic's help.
- Errors: with ``short_errors`` on (the default) a failure is raised as ``MagicError``,
  which IPython renders as one line, with no traceback; the cell still fails, so "Run
  All" stops there. ``%config <Class>.short_errors = False`` raises the original
  exception with its traceback.
- Results: a command returns its value (a DataFrame, a dict, a string) so that
  ``df = %swift ls box`` works; ``--out NAME`` stores it in the user namespace instead.
- Every magics class is a traitlets ``Configurable`` registered in ``shell.configurables``,
  so ``%config SwiftMagics`` lists its settings with their help text.
"""

from __future__ import annotations

import argparse
import functools
import logging
import shlex
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from IPython.core.magic import Magics, magics_class
from traitlets import Bool

from ..core import errors

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# ANSI red for the one-line error, as IPython colours its own UsageError.
_RED = "\x1b[0;31m"
_RESET = "\x1b[0m"


class MagicUsageError(errors.InvalidInputError):
    """The magic's arguments are wrong: unknown option, missing value, bad syntax."""


class HelpShown(Exception):
    """``--help`` was printed; the magic has nothing more to do."""


class MagicError(Exception):
    """A failure shown as one line: IPython calls ``_render_traceback_`` instead of printing a traceback."""

    def __init__(self, message: str, original: BaseException | None = None) -> None:
        super().__init__(message)
        self.original = original

    def _render_traceback_(self) -> list[str]:
        return [f"{_RED}Error:{_RESET} {self.args[0]}"]


class MagicArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` for magics: errors raise, help prints and stops the command."""

    def error(self, message: str) -> NoReturn:
        raise MagicUsageError(f"{self.prog}: {message}", hint=f"see {self.prog} --help")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, file=sys.stderr)
        raise HelpShown()

    def print_help(self, file: Any = None) -> None:
        print(self.format_help(), file=file or sys.stdout)


def split_arguments(line: str) -> list[str]:
    """Split a magic's line like a shell does, with a clear error for unbalanced quotes.

    A word that starts with ``#`` outside quotes begins a comment, as in a shell, so
    ``%swift ls box  # my files`` works; a ``#`` inside a word (``a#b``) is kept, and a
    name that starts with ``#`` is written in quotes.
    """
    try:
        return shlex.split(strip_comment(line), posix=True)
    except ValueError as exc:
        raise MagicUsageError(f"cannot parse the arguments: {exc}", hint="check the quotes in the command") from None


def strip_comment(line: str) -> str:
    """Return ``line`` without a trailing comment: from a ``#`` that starts a word outside quotes."""
    quote = None
    escaped = False
    previous = " "
    for index, character in enumerate(line):
        if escaped:
            # An escaped character is part of a word, even an escaped space.
            escaped = False
            previous = "\\"
            continue
        if character == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            if character == quote:
                quote = None
        elif character in "'\"":
            quote = character
        elif character == "#" and previous.isspace():
            return line[:index]
        previous = character
    return line


@magics_class
class OvhubMagicsBase(Magics):
    """Settings and error handling shared by every ovhub magics class."""

    short_errors = Bool(
        True,
        help="Show a failed command as one line. Set to False to see the full traceback.",
    ).tag(config=True)

    def store_or_return(self, value: Any, out: str | None) -> Any:
        """Store ``value`` in the user namespace as ``out`` (and return None), or return it."""
        if not out:
            return value
        if not out.isidentifier():
            raise MagicUsageError(f"--out {out!r} is not a valid Python variable name", hint="use a name like result or df")
        self.shell.user_ns[out] = value
        return None

    def fail(self, exc: BaseException) -> None:
        """Raise ``exc`` as a one-line ``MagicError``, or unchanged when short errors are off."""
        if not self.short_errors:
            raise exc
        raise MagicError(one_line(exc, type(self).__name__), original=exc) from None


def one_line(exc: BaseException, settings_class: str = "the magic's class") -> str:
    """Return the message a user sees for ``exc``: one line, with the next step.

    ``settings_class`` names the ``%config`` class whose ``short_errors`` shows the traceback.
    """
    if isinstance(exc, errors.OvhubError):
        text = str(exc)
    elif isinstance(exc, KeyboardInterrupt):
        text = "interrupted; nothing was left half-written"
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    else:
        # Not one of ours: a bug or an unexpected library error. Say how to see more.
        text = f"{type(exc).__name__}: {exc} (unexpected; run %config {settings_class}.short_errors = False for the traceback)"
    return " ".join(text.split())


def magic_command(method: F) -> F:
    """Wrap a magic so that any failure becomes one line (per ``short_errors``) and --help stops quietly."""

    @functools.wraps(method)
    def wrapper(self: OvhubMagicsBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except HelpShown:
            return None
        except MagicError:
            raise
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the magic's boundary
            if isinstance(exc, errors.OvhubError) and not isinstance(exc, errors.InvalidInputError):
                logger.warning("%s", one_line(exc))
            self.fail(exc)

    return wrapper  # type: ignore[return-value]


# Options every subcommand takes, also accepted before the subcommand: %swift --account X ls box.
LEADING_OPTIONS = ("--account", "--out")


def move_leading_options(words: list[str]) -> list[str]:
    """Move ``--account NAME`` and ``--out NAME`` written before the subcommand to after it.

    The subcommand parsers define those options, so ``%hubic --account X usage`` and
    ``%hubic usage --account X`` mean the same.
    """
    leading: list[str] = []
    rest = list(words)
    while rest:
        word = rest[0]
        if word in LEADING_OPTIONS and len(rest) >= 2:
            leading += rest[:2]
            rest = rest[2:]
        elif word.startswith(tuple(f"{option}=" for option in LEADING_OPTIONS)):
            leading.append(word)
            rest = rest[1:]
        else:
            break
    return rest + leading


def account_client(name: str, client_class: type, *, kind: str, service: str, default_name: str, sign_in_hint: str) -> Any:
    """Return the API client of account ``name``, checking it is a ``client_class``.

    A missing default account (``default_name``) gets ``sign_in_hint``; an account of
    another kind names the kind expected.
    """
    from ..core.accounts import REGISTRY

    try:
        account = REGISTRY.get(name)
    except errors.AccountNotFoundError:
        if name != default_name:
            raise
        raise errors.AccountNotFoundError(f"no {service} account named {default_name!r}", hint=sign_in_hint) from None
    if not isinstance(account.client, client_class):
        raise errors.InvalidInputError(
            f"account {name!r} ({account.kind}) is not {'an' if service[0] in 'AEIOU' else 'a'} {service} account",
            hint=f"give --account the name of an account of kind {kind}; %ovhub accounts lists them",
        )
    return account.client
