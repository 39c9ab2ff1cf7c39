"""The argument parser of ``%swift``: one subcommand per operation, each with examples.

``%swift --help`` prints the list of subcommands and ``%swift SUBCOMMAND --help`` the
options and examples of one. Values that can be checked without a request (numbers,
durations, ``KEY=VALUE`` items, formats) are checked here, so bad input fails before
anything is sent.
"""

from __future__ import annotations

import argparse
import re

from .base import MagicArgumentParser

# Formats ``%swift read`` and ``%swift write`` understand.
TABLE_FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")

# Units a ``--ttl`` may end with, in seconds.
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")

MAIN_EPILOG = """\
examples:
  %swift containers                        list the containers of the default account
  %swift ls box 2024/ --delimiter /        list box under 2024/, one row per folder
  df = %swift read box/sales.csv           read an object into a DataFrame
  %swift upload report.csv box/2024        store report.csv as 2024/report.csv in box
  %swift download box/2024/ data           download everything under 2024/ into data/
  %swift tempurl box/report.csv --ttl 1h   a URL that reads the object for an hour

Every subcommand takes --account NAME (default: %ovhub use NAME) and --out NAME (store
the result in a variable instead of showing it). Run %swift SUBCOMMAND --help for its
options. %%swift runs a cell of subcommands, one per line; %%swift put CONTAINER/OBJECT
stores the cell's text. %config SwiftMagics lists the settings.
"""

# Examples of each subcommand, shown in its --help.
EXAMPLES = {
    "containers": "%swift containers\n  %swift containers --prefix logs- --out boxes",
    "ls": (
        "%swift ls box\n  %swift ls box 2024/ --delimiter /\n  %swift ls box --limit 100\n"
        "  df = %swift ls \"my box\" \"reports #1/\""
    ),
    "stat": "%swift stat\n  %swift stat box\n  %swift stat box/2024/report.csv",
    "mkdir": "%swift mkdir box",
    "rm": "%swift rm box/old.csv box/tmp.csv\n  %swift rm box --prefix tmp/",
    "rmdir": "%swift rmdir box\n  %swift rmdir box --force",
    "upload": (
        "%swift upload report.csv box              stores report.csv in box\n"
        "  %swift upload report.csv box/2024         stores 2024/report.csv\n"
        "  %swift upload data box/backup             stores data/a.csv as backup/data/a.csv\n"
        "  %swift upload '*.csv' box/csv             uploads every .csv file of the current folder\n"
        "  %swift upload report.csv box --name final.csv"
    ),
    "download": (
        "%swift download box/2024/report.csv           to ./report.csv\n"
        "  %swift download box/2024/report.csv r.csv     to ./r.csv\n"
        "  %swift download box/2024/ local               everything under 2024/ into local/\n"
        "  %swift download box                           the whole container into ./box/"
    ),
    "copy": "%swift copy box/a.csv archive             keeps the name a.csv\n  %swift copy box/a.csv box/b.csv",
    "meta": (
        "%swift meta box/report.csv                     read the metadata\n"
        "  %swift meta box/report.csv owner=ana stage=   set owner, remove stage\n"
        "  %swift meta box project=demo"
    ),
    "tempurl": "%swift tempurl box/report.csv\n  %swift tempurl box/report.csv --ttl 7d\n  %swift tempurl box/upload.bin --method PUT --ttl 600",
    "info": "%swift info",
    "read": (
        "df = %swift read box/sales.csv\n  df = %swift read box/sales.txt --format tsv\n"
        "  df = %swift read box/sales.csv --sep ';' --nrows 100\n"
        "  df = %swift read box/events.jsonl --option dtype_backend=pyarrow"
    ),
    "write": "%swift write df box/sales.parquet\n  %swift write df box/sales.csv --index",
    "put": "%%swift put box/notes.txt\n  any text; the whole cell is stored as UTF-8",
}


def positive_int(text: str) -> int:
    """Parse an integer of at least 1 (argparse reports the ValueError as invalid input)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: it must be 1 or more")
    return value


def duration(text: str) -> int:
    """Parse a duration in seconds: ``600``, ``30m``, ``12h`` or ``7d``."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: give a positive number of seconds, or a number with s, m, h or d"
        )
    return int(match.group(1)) * _DURATION_UNITS[match.group(2) or "s"]


def key_value(text: str) -> tuple[str, str]:
    """Parse ``KEY=VALUE`` (the value may be empty)."""
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"invalid item {text!r}: expected KEY=VALUE")
    return key, value


def build_parser() -> MagicArgumentParser:
    """Return the parser of ``%swift`` with every subcommand."""
    parser = MagicArgumentParser(
        prog="%swift",
        description="Work with OpenStack Swift containers and objects; results are DataFrames.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    common = MagicArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--account", metavar="NAME", help="account to use (default: the one set by %%ovhub use)")
    common.add_argument("--out", metavar="NAME", help="store the result in this variable instead of showing it")
    commands = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=MagicArgumentParser)

    def add(name: str, help_text: str, usage: str | None = None) -> MagicArgumentParser:
        return commands.add_parser(
            name,
            usage=usage,
            help=help_text,
            description=(help_text[0].upper() + help_text[1:] + ".").replace("%%", "%"),
            epilog="examples:\n  " + EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
            allow_abbrev=False,
        )

    _add_listing_commands(add)
    _add_container_commands(add)
    _add_transfer_commands(add)
    _add_object_commands(add)
    return parser


def _add_listing_commands(add) -> None:  # noqa: ANN001 - the local helper of build_parser
    containers = add("containers", "list the account's containers: name, count, bytes, last_modified")
    containers.add_argument("--prefix", help="only containers whose name starts with this")
    containers.add_argument("--limit", type=positive_int, metavar="N", help="return at most N containers")

    ls = add(
        "ls",
        "list a container's objects: name, bytes, hash, last_modified, content_type, "
        "kind (object, folder, slo or dlo)",
    )
    ls.add_argument("container", nargs="?", help="container, or CONTAINER/PREFIX; without it, list the containers")
    ls.add_argument("prefix", nargs="?", help="only objects whose name starts with this")
    ls.add_argument(
        "--delimiter", metavar="CHAR", help="group names at this character (usually /); groups are rows of kind folder"
    )
    ls.add_argument("--limit", type=positive_int, metavar="N", help="return at most N rows")
    ls.add_argument(
        "--raw",
        action="store_true",
        help="skip the HEAD request on each 0-byte object; dynamic large objects then show 0 bytes and kind object",
    )

    stat = add("stat", "show the account, a container or an object: counts, sizes, dates and metadata")
    stat.add_argument("container", nargs="?", help="container, or CONTAINER/OBJECT")
    stat.add_argument("object", nargs="?", help="object name")

    info = add("info", "show the cluster's capabilities and limits (GET /info) as section, key, value")
    del info


def _add_container_commands(add) -> None:  # noqa: ANN001
    mkdir = add("mkdir", "create a container (nothing changes when it exists)")
    mkdir.add_argument("container")

    rmdir = add("rmdir", "delete a container; a non-empty one is refused unless --force")
    rmdir.add_argument("container")
    rmdir.add_argument("--force", action="store_true", help="delete the container's objects first")

    rm = add("rm", "delete objects (large objects with their segments), or every object under --prefix")
    rm.add_argument("targets", nargs="+", metavar="CONTAINER/OBJECT", help="objects to delete; containers with --prefix")
    rm.add_argument("--prefix", help="delete every object whose name starts with this, in each CONTAINER given")


def _add_transfer_commands(add) -> None:  # noqa: ANN001
    upload = add(
        "upload",
        "upload files and folders; a file keeps its name under PREFIX, a folder keeps its name and "
        "relative paths; globs are expanded; the container is created if missing",
        usage="%(prog)s [options] LOCAL [LOCAL ...] CONTAINER[/PREFIX]",
    )
    upload.add_argument("paths", nargs="+", metavar="PATH", help="local files, folders or globs, then CONTAINER[/PREFIX]")
    upload.add_argument("--name", help="store a single file as PREFIX/NAME instead of PREFIX/ITS_LOCAL_NAME")
    upload.add_argument("--content-type", help="content type of every object (default: guessed from the name)")

    download = add(
        "download",
        "download an object to a file, or a container or prefix to a folder (a partial file is never left behind)",
    )
    download.add_argument("source", metavar="CONTAINER[/OBJECT]", help="an object, a prefix ending with /, or a container")
    download.add_argument(
        "local",
        nargs="?",
        help="local file or folder (default: the object's last name component, or a folder named after the container)",
    )

    read = add("read", "read an object into a DataFrame (csv, tsv, json, jsonl, parquet; .gz, .bz2, .xz, .zst too)")
    read.add_argument("target", metavar="CONTAINER/OBJECT")
    _add_table_options(read)
    read.add_argument("--sep", help="field separator for csv (default: , for csv, tab for tsv)")
    read.add_argument("--nrows", type=positive_int, metavar="N", help="read only the first N rows (csv, tsv, jsonl)")

    write = add("write", "write a DataFrame variable as an object, in the format of its extension or --format")
    write.add_argument("variable", help="name of a DataFrame in the notebook")
    write.add_argument("target", metavar="CONTAINER/OBJECT")
    _add_table_options(write)
    write.add_argument("--index", action="store_true", help="write the DataFrame's index too (csv, tsv, json, jsonl)")

    put = add("put", "store the cell's text as an object, in UTF-8 (cell form only, as %%%%swift put CONTAINER/OBJECT)")
    put.add_argument("target", metavar="CONTAINER/OBJECT")
    put.add_argument("--content-type", help="content type (default: guessed from the name, else text/plain)")


def _add_table_options(command: MagicArgumentParser) -> None:
    command.add_argument("--format", choices=TABLE_FORMATS, help="format of the data (default: from the extension)")
    command.add_argument(
        "--option",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="pass KEY=VALUE to the pandas reader or writer (the value is read as a Python literal, else as text)",
    )


def _add_object_commands(add) -> None:  # noqa: ANN001
    copy = add("copy", "copy an object on the server; DESTINATION is CONTAINER, CONTAINER/OBJECT or CONTAINER/PREFIX/")
    copy.add_argument("source", metavar="SOURCE")
    copy.add_argument("destination", metavar="DESTINATION")

    meta = add("meta", "read metadata, or set KEY=VALUE items (KEY= removes KEY), of the account, a container or an object")
    meta.add_argument("target", nargs="?", metavar="CONTAINER[/OBJECT]", help="without it, the account")
    meta.add_argument("items", nargs="*", type=key_value, metavar="KEY=VALUE")

    tempurl = add(
        "tempurl",
        "sign a temporary URL that allows one method on one object without a token "
        "(sets the account's temp URL key when it has none)",
    )
    tempurl.add_argument("target", metavar="CONTAINER/OBJECT")
    tempurl.add_argument("--ttl", type=duration, default=3600, metavar="SECONDS", help="validity: seconds, or 30m, 12h, 7d (default: 1h)")
    tempurl.add_argument("--method", default="GET", type=str.upper, choices=("GET", "HEAD", "PUT", "POST", "DELETE"), help="HTTP method the URL allows (default: GET)")
