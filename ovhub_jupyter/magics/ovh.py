"""``%ovh`` and ``%%ovh``: call the OVHcloud API from a notebook and get DataFrames back.

``%ovh GET /me/bill date.from=2024-01-01`` sends one signed call through the ``ovh``
account's ``OvhClient`` and shapes the response with ``frames.api``. ``--expand`` turns a
list of ids into a table of the items, fetched concurrently with a progress bar. Secret
fields of a response (a new user's password, a storage token) are masked unless
``--show-secrets`` is given.

Everything the line or the cell gets wrong (an unknown method, a parameter without ``=``,
invalid JSON in the cell) is rejected before any request.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

from IPython.core.magic import line_cell_magic, magics_class
from traitlets import Bool, Int

from ..core import errors
from ..core.ovh import OvhClient
from ..core.ovh_storage import list_projects, project_containers, project_details, resolve_project
from ..frames import api as api_frames
from ..widgets.progress import ProgressBar
from .base import (
    MagicArgumentParser,
    MagicUsageError,
    OvhubMagicsBase,
    account_client,
    magic_command,
    one_line,
    split_arguments,
)

logger = logging.getLogger(__name__)

# HTTP methods the API takes.
METHODS = ("GET", "POST", "PUT", "DELETE")

# Commands that are not an HTTP method.
COMMANDS = ("storage", "projects")

# Account used when --account is not given.
DEFAULT_ACCOUNT = "ovh"

# Failed items of --expand printed one per line; the rest are counted.
MAX_PRINTED_FAILURES = 5

# argparse formats the usage with "%", so each "%" of a magic is written twice.
USAGE = """\
%%ovh [options] METHOD PATH [NAME=VALUE ...]
       %%%%ovh [options] METHOD PATH [NAME=VALUE ...]   (JSON body in the cell)
       %%ovh [options] storage PROJECT
       %%ovh [options] projects"""

DESCRIPTION = """\
Call the OVHcloud API with the keys of an account and return the response as a DataFrame:
a list of records gives one row per record (nested fields as dotted columns), a list of
ids one column, an object one row; a number or a string is returned as it is, and an
empty response as None. Columns of ISO 8601 dates become datetime64.

METHOD is GET, POST, PUT or DELETE, in any case. NAME=VALUE parameters go to the query
string of a GET or DELETE and to the JSON body of a POST or PUT. A value of true or
false is sent as a boolean, a number as a number, anything else as a string;
NAME:=JSON gives any JSON value (a list, an object, null)."""

HELP_EPILOG = """\
examples:
  %ovh GET /me                         the account, as one row
  %ovh GET /cloud/project              the Public Cloud project ids
  %ovh GET /me/bill date.from=2024-01-01 date.to=2024-02-01
                                       the ids of the bills between two dates
  %ovh GET /me/bill --expand           every bill as a row, fetched concurrently
  %ovh PUT /cloud/project/PROJECT description=analytics
  %ovh DELETE /cloud/project/PROJECT/user/42
  %ovh storage PROJECT                 the containers of a project: name, region, bytes, objects
  %ovh projects                        the projects with their descriptions
  bills = %ovh GET /me/bill --expand --account work

  %%ovh POST /cloud/project/PROJECT/user
  {"description": "notebook user", "role": "objectstore_operator"}

secrets:
  Fields such as password, token and secret are shown as a short prefix. Add
  --show-secrets to get the full values, ideally with --out so they are not displayed.

settings (%config OvhMagics):
  expand_concurrency, progress, short_errors
"""


def build_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%ovh",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", metavar="METHOD", nargs="?", help="GET, POST, PUT or DELETE; or the command storage or projects")
    parser.add_argument("path", metavar="PATH", nargs="?", help="API path such as /me/bill; the project for storage")
    parser.add_argument("parameters", metavar="NAME=VALUE", nargs="*", help="query parameters (GET, DELETE) or body fields (POST, PUT)")
    parser.add_argument("--account", metavar="NAME", default=DEFAULT_ACCOUNT, help="OVHcloud API account to use (default: ovh)")
    parser.add_argument("--out", metavar="NAME", help="store the result in this variable instead of returning it")
    parser.add_argument("--raw", action="store_true", help="return the decoded JSON as it is, without a DataFrame")
    parser.add_argument(
        "--expand", action="store_true", help="for a GET that returns ids: fetch PATH/ID for each id and return the items"
    )
    parser.add_argument("--show-secrets", action="store_true", help="show passwords, tokens and secrets in full")
    return parser


# -- parameters and body ----------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """Return a parameter's value typed: true/false as booleans, numbers as numbers, else the text.

    A number is converted only when it prints back the same (``12``, ``-3``, ``2.5``), so
    ``007``, ``1.50`` and dates stay strings.
    """
    if text in ("true", "false"):
        return text == "true"
    try:
        number = json.loads(text)
    except ValueError:
        return text
    if isinstance(number, (int, float)) and not isinstance(number, bool) and str(number) == text:
        return number
    return text


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Return ``NAME=VALUE`` and ``NAME:=JSON`` items as a dict; a name given twice gets a list."""
    parameters: dict[str, Any] = {}
    for item in items:
        name, value = _parse_parameter(item)
        if name in parameters:
            previous = parameters[name]
            parameters[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            parameters[name] = value
    return parameters


def _parse_parameter(item: str) -> tuple[str, Any]:
    name, separator, text = item.partition("=")
    if not separator or not name or name == ":":
        raise MagicUsageError(
            f"invalid parameter {item!r}: expected NAME=VALUE",
            hint="write parameters as name=value, such as date.from=2024-01-01",
        )
    if not name.endswith(":"):
        return name, parse_value(text)

    name = name[:-1]
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        raise MagicUsageError(
            f"invalid JSON in parameter {name!r} at column {exc.colno}: {exc.msg}",
            hint="NAME:=JSON takes a JSON value, such as roles:='[\"objectstore_operator\"]'",
        ) from None


def parse_cell_body(cell: str) -> dict[str, Any]:
    """Return the JSON object of a ``%%ovh`` cell ({} for an empty cell), or raise naming the line and column."""
    if not cell.strip():
        return {}
    try:
        body = json.loads(cell)
    except json.JSONDecodeError as exc:
        raise MagicUsageError(
            f"invalid JSON in the cell at line {exc.lineno} column {exc.colno}: {exc.msg}",
            hint="the cell must hold one JSON object, such as {\"description\": \"x\"}",
        ) from None
    if not isinstance(body, dict):
        raise MagicUsageError(
            f"the cell contains a JSON {type(body).__name__}, not an object",
            hint="put the body fields in one JSON object: {\"name\": value, ...}",
        )
    return body


# -- the magics ---------------------------------------------------------------------------------


@magics_class
class OvhMagics(OvhubMagicsBase):
    """The ``%ovh`` and ``%%ovh`` magics."""

    expand_concurrency = Int(
        8,
        help="Maximum number of items that --expand and %ovh projects fetch at the same time.",
    ).tag(config=True)

    progress = Bool(
        True,
        help="Show a progress bar when --expand or %ovh projects runs for more than a second.",
    ).tag(config=True)

    @line_cell_magic
    @magic_command
    def ovh(self, line: str = "", cell: str | None = None):
        """Call the OVHcloud API: %ovh GET /me | %ovh storage PROJECT | %ovh projects.

        In a ``%%ovh`` cell, the cell contains the JSON body. Run ``%ovh --help`` for the
        options and examples.
        """
        parser = build_parser()
        arguments = parser.parse_intermixed_args(split_arguments(line))
        if arguments.method is None:
            parser.print_help()
            return None
        command = arguments.method.lower()

        if command in COMMANDS:
            return self._command(command, arguments, cell)

        method = arguments.method.upper()
        if method not in METHODS:
            raise MagicUsageError(
                f"unknown method or command {arguments.method!r}",
                hint="use GET, POST, PUT or DELETE, or the command storage or projects",
            )
        path, parameters = self._check_call(method, arguments, cell)
        client = self._client(arguments.account)

        logger.debug("%%ovh %s %s with parameters %s", method, path, sorted(parameters))
        payload = client.call(method, path, **parameters)

        if arguments.expand:
            return self.store_or_return(self._expanded(client, path, payload, arguments), arguments.out)
        return self.store_or_return(self._shaped(payload, path, arguments), arguments.out)

    # -- steps of a call --------------------------------------------------------------------

    def _check_call(self, method: str, arguments: argparse.Namespace, cell: str | None) -> tuple[str, dict[str, Any]]:
        """Validate the path, parameters, body and options of an API call; return path and parameters."""
        path = arguments.path
        if not path or not path.startswith("/"):
            raise MagicUsageError(
                f"invalid API path {path!r}" if path else f"%ovh {method} needs an API path",
                hint="an API path starts with '/', such as /me",
            )
        parameters = parse_parameters(arguments.parameters)

        if cell is not None and cell.strip():
            if method in ("GET", "DELETE"):
                raise MagicUsageError(
                    f"a {method} sends no body, but the cell is not empty",
                    hint="put the parameters on the magic line as NAME=VALUE",
                )
            body = parse_cell_body(cell)
            # Parameters on the line complete or override the cell's fields.
            parameters = {**body, **parameters}

        if arguments.expand and method != "GET":
            raise MagicUsageError("--expand works only with GET", hint="remove --expand, or use GET")
        return path, parameters

    def _client(self, name: str) -> OvhClient:
        """Return the ``OvhClient`` of account ``name``."""
        return account_client(
            name,
            OvhClient,
            kind="ovh",
            service="OVHcloud API",
            default_name=DEFAULT_ACCOUNT,
            sign_in_hint="configure ovh.conf (ovhub ovh-app creates it), sign in with %ovh_login, or run %ovhub sandbox",
        )

    def _shaped(self, payload: Any, path: str, arguments: argparse.Namespace) -> Any:
        """Return the response with secrets masked (unless --show-secrets), as JSON (--raw) or a DataFrame."""
        if not arguments.show_secrets:
            payload = api_frames.mask_secrets(payload)
        if arguments.raw:
            return payload
        return api_frames.api_frame(payload, api_frames.id_column_for(path))

    # -- --expand -------------------------------------------------------------------------------

    def _expanded(self, client: OvhClient, path: str, payload: Any, arguments: argparse.Namespace) -> Any:
        """Fetch ``PATH/ID`` for every id of ``payload`` and return the items, failures included."""
        if not isinstance(payload, list) or any(isinstance(item, (dict, list)) for item in payload):
            raise errors.InvalidInputError(
                f"--expand needs a list of ids, but GET {path} returned {_json_kind(payload)}",
                hint="use --expand on a call that returns ids, such as GET /me/bill",
            )
        base = path.partition("?")[0].rstrip("/")
        items, failures = self.fetch_all(
            payload,
            lambda item_id: client.get(f"{base}/{item_id}"),
            description=f"GET {base}/{{id}}",
        )
        if not arguments.show_secrets:
            items = {position: api_frames.mask_secrets(item) for position, item in items.items()}
        if arguments.raw:
            return [items[position] for position in sorted(items)]
        return api_frames.expanded_frame(payload, items, failures, api_frames.id_column_for(path))

    def fetch_all(
        self, ids: Sequence[Any], fetch: Callable[[Any], Any], *, description: str
    ) -> tuple[dict[int, Any], dict[int, str]]:
        """Call ``fetch(id)`` for every id on up to ``expand_concurrency`` threads, with a progress bar.

        Return the results and the one-line errors, both keyed by the id's position. An
        ``OvhubError`` fails only its own item and is printed; when every item fails, the
        first error is raised.
        """
        if not ids:
            return {}, {}
        bar = ProgressBar(description, enabled=self.progress, unit="items")
        bar.begin(total_files=len(ids))
        results: dict[int, Any] = {}
        failures: dict[int, str] = {}
        raised: dict[int, errors.OvhubError] = {}
        pool = ThreadPoolExecutor(max_workers=max(1, min(self.expand_concurrency, len(ids))), thread_name_prefix="ovh-expand")
        completed = False
        try:
            futures: dict[Future[Any], int] = {pool.submit(fetch, item_id): position for position, item_id in enumerate(ids)}
            for future in as_completed(futures):
                position = futures[future]
                try:
                    results[position] = future.result()
                except errors.OvhubError as exc:
                    failures[position] = one_line(exc)
                    raised[position] = exc
                bar.advance(files=1)
            completed = True
        finally:
            # On an interruption, queued fetches are dropped and running ones finish.
            pool.shutdown(wait=True, cancel_futures=True)
            bar.end(failed=not completed or bool(failures))

        self._report_failures(ids, failures, description)
        if failures and not results:
            raise raised[min(raised)]
        return results, failures

    def _report_failures(self, ids: Sequence[Any], failures: dict[int, str], description: str) -> None:
        if not failures:
            return
        logger.warning("%s: %d of %d items failed", description, len(failures), len(ids))
        print(f"{len(failures)} of {len(ids)} items failed (see the error column):", file=sys.stderr)
        positions = sorted(failures)
        for position in positions[:MAX_PRINTED_FAILURES]:
            print(f"  {ids[position]}: {failures[position]}", file=sys.stderr)
        if len(positions) > MAX_PRINTED_FAILURES:
            print(f"  and {len(positions) - MAX_PRINTED_FAILURES} more", file=sys.stderr)

    # -- storage and projects -----------------------------------------------------------------

    def _command(self, command: str, arguments: argparse.Namespace, cell: str | None) -> Any:
        if cell is not None and cell.strip():
            raise MagicUsageError(f"%%ovh {command} takes no cell body", hint=f"use the line magic: %ovh {command}")
        if arguments.expand:
            raise MagicUsageError(f"--expand does not apply to %ovh {command}", hint="remove --expand")
        if command == "storage":
            return self.store_or_return(self._storage(arguments), arguments.out)
        return self.store_or_return(self._projects(arguments), arguments.out)

    def _storage(self, arguments: argparse.Namespace) -> Any:
        if not arguments.path or arguments.parameters:
            raise MagicUsageError(
                "%ovh storage takes one project (its id or description)", hint="write %ovh storage PROJECT"
            )
        client = self._client(arguments.account)
        project = resolve_project(client, arguments.path)
        containers = project_containers(client, project)
        if arguments.raw:
            return containers if arguments.show_secrets else api_frames.mask_secrets(containers)
        return api_frames.containers_frame(containers)

    def _projects(self, arguments: argparse.Namespace) -> Any:
        if arguments.path or arguments.parameters:
            raise MagicUsageError("%ovh projects takes no argument", hint="write %ovh projects")
        client = self._client(arguments.account)
        projects = list_projects(client)
        details, _ = self.fetch_all(
            projects, lambda project: project_details(client, project), description="GET /cloud/project/{id}"
        )
        if not arguments.show_secrets:
            details = {position: api_frames.mask_secrets(item) for position, item in details.items()}
        if arguments.raw:
            return [details[position] for position in sorted(details)]
        return api_frames.projects_frame(projects, details)


def _json_kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list of objects" if value else "an empty list"
    return f"a {type(value).__name__}"
