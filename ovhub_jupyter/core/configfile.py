"""Reading and writing INI configuration files safely: atomic replacement, mode 0600.

Two files hold credentials:

- ``ovh.conf``, python-ovh's format, for OVHcloud API keys (read and written by ``config.py``);
- ``ovhub.conf``, this project's own, for accounts python-ovh does not know: hubiC
  (client id and secret, refresh token) and plain Swift or Keystone accounts. Each section
  is an account named like the section, with a ``kind`` key; the ``[ovhub]`` section contains
  settings such as ``default_account``.

``ovhub.conf`` lives at ``$OVHUB_CONFIG`` when that is set, else at
``~/.config/ovhub/ovhub.conf``. Both files are written through ``write_ini_atomically``:
the new content goes to a temporary file with mode 0600 in the same folder, is flushed to
disk, then replaces the old file in one rename, so a crash leaves either the old file or
the new one, never half of it.
"""

from __future__ import annotations

import configparser
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from . import errors

# Environment variable that moves ovhub.conf elsewhere (tests, several profiles).
CONFIG_ENVIRONMENT_VARIABLE = "OVHUB_CONFIG"

# Section of ovhub.conf that contains settings rather than an account.
SETTINGS_SECTION = "ovhub"

# Permission bits of every file this module writes: readable by the owner only.
PRIVATE_FILE_MODE = 0o600


def ovhub_config_path() -> Path:
    """Return where ovhub.conf is read from and written to, looked up at each call."""
    configured = os.environ.get(CONFIG_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".config" / "ovhub" / "ovhub.conf"


def new_parser() -> configparser.ConfigParser:
    """Return a parser that keeps key case and does no interpolation (secrets may contain %)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    return parser


def read_ini(path: Path) -> configparser.ConfigParser:
    """Read one INI file; a missing file gives an empty parser."""
    parser = new_parser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return parser
    except OSError as exc:
        raise errors.ConfigError(
            f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
        ) from None
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise errors.ConfigError(
            f"{path} is not a valid INI file: {first_line}", hint="fix or remove the file, then try again"
        ) from None
    return parser


def write_ini_atomically(path: Path, parser: configparser.ConfigParser) -> None:
    """Replace ``path`` with the content of ``parser``, atomically and with mode 0600."""
    buffer = io.StringIO()
    parser.write(buffer)
    write_text_atomically(path, buffer.getvalue())


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename; the file has mode 0600 from its creation."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def update_ini_section(path: Path, section: str, values: Mapping[str, str | None]) -> None:
    """Set keys of one section in an INI file, keeping every other section and key.

    A value of None removes the key. The file is rewritten atomically with mode 0600.
    """
    parser = read_ini(path)
    if not parser.has_section(section):
        parser.add_section(section)
    for key, value in values.items():
        if value is None:
            parser.remove_option(section, key)
        else:
            parser.set(section, key, str(value))
    write_ini_atomically(path, parser)


def read_ovhub_config() -> configparser.ConfigParser:
    """Read ovhub.conf (empty when it does not exist)."""
    return read_ini(ovhub_config_path())


def ovhub_accounts() -> dict[str, dict[str, str]]:
    """Return the accounts in ovhub.conf: section name to its keys (``kind`` among them)."""
    parser = read_ovhub_config()
    return {name: dict(parser.items(name)) for name in parser.sections() if name != SETTINGS_SECTION}


def save_ovhub_account(name: str, values: Mapping[str, str | None]) -> Path:
    """Write or update the account ``name`` in ovhub.conf; return the file's path."""
    if not name or name == SETTINGS_SECTION or any(c in name for c in "[]\n"):
        raise errors.InvalidInputError(
            f"invalid account name {name!r}", hint="use letters, digits, '-', '_' or ':'"
        )
    path = ovhub_config_path()
    update_ini_section(path, name, values)
    return path


def ovhub_setting(key: str, default: str | None = None) -> str | None:
    """Return a value from the ``[ovhub]`` settings section of ovhub.conf."""
    parser = read_ovhub_config()
    return parser.get(SETTINGS_SECTION, key, fallback=default)
