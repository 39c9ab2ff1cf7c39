"""``%hubic``: a hubiC account's details, usage, Swift credentials and published links as DataFrames.

Each subcommand is one call of ``HubicClient`` on the ``hubic`` account (or ``--account``)
and one table from ``frames.api``. The Swift token of ``%hubic credentials`` is shown as a
short prefix only: the storage URL and expiry are what a user needs to see, and the
token stays inside the account's credential provider.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from IPython.core.magic import line_magic, magics_class
from traitlets import Int

from ..core import errors
from ..core.hubic import LINK_TTL_DAYS, HubicClient, check_container, check_link_ttl, check_object_path
from ..frames import api as api_frames
from .base import (
    MagicArgumentParser,
    account_client,
    MagicUsageError,
    OvhubMagicsBase,
    magic_command,
    move_leading_options,
    split_arguments,
)

logger = logging.getLogger(__name__)

# Account used when --account is not given.
DEFAULT_ACCOUNT = "hubic"

HELP_EPILOG = """\
examples:
  %hubic account                       the account: email, names, status, creation date
  %hubic usage                         quota, used and free bytes, percent used
  %hubic links                         the published links
  %hubic publish default/Documents/readme.txt --ttl 5 --comment "for Alice"
                                       publish an object; returns its indirect URL
  %hubic unpublish /Documents/readme.txt
                                       delete the link to that object
  %hubic credentials                   the Swift storage URL and its expiry (the token is masked)
  %hubic scopes                        what the sign-in granted, per perimeter
  usage = %hubic usage --account family

settings (%config HubicMagics):
  link_ttl, short_errors
"""


def build_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%hubic",
        description="Show a hubiC account and manage its published links; results are DataFrames.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--account", metavar="NAME", default=DEFAULT_ACCOUNT, help="hubiC account to use (default: hubic)")
    common.add_argument("--out", metavar="NAME", help="store the result in this variable instead of returning it")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=MagicArgumentParser)
    commands.add_parser("account", parents=[common], help="the account: email, names, status, creation date")
    commands.add_parser("usage", parents=[common], help="quota, used and free bytes, and the percent used")
    commands.add_parser("links", parents=[common], help="the published links")
    commands.add_parser("credentials", parents=[common], help="the Swift storage URL and expiry (the token masked)")
    commands.add_parser("scopes", parents=[common], help="the scope perimeters and the rights granted")

    publish = commands.add_parser("publish", parents=[common], help="publish an object as a read-only link")
    publish.add_argument("target", metavar="CONTAINER/OBJECT", help="the object to publish, such as default/Documents/readme.txt")
    days = ", ".join(str(d) for d in LINK_TTL_DAYS)
    publish.add_argument("--ttl", metavar="DAYS", help=f"days the link lasts: {days} (default: HubicMagics.link_ttl)")
    publish.add_argument("--comment", metavar="TEXT", default="", help="a note stored with the link")

    unpublish = commands.add_parser("unpublish", parents=[common], help="delete a published link")
    unpublish.add_argument("uri", metavar="URI", help="the link's uri, as %%hubic links shows it, such as /Documents/readme.txt")
    return parser


def split_target(target: str) -> tuple[str, str]:
    """Split ``CONTAINER/OBJECT`` at the first ``/``; raise before any request when either part is missing."""
    container, separator, path = target.partition("/")
    if not separator or not container or not path.strip("/"):
        raise MagicUsageError(
            f"invalid object {target!r}: expected CONTAINER/OBJECT",
            hint="name the container and the object, such as default/Documents/readme.txt",
        )
    return check_container(container), check_object_path(path)


@magics_class
class HubicMagics(OvhubMagicsBase):
    """The ``%hubic`` magic."""

    link_ttl = Int(
        5,
        help="Days a link made by %hubic publish lasts when --ttl is not given: 1, 5, 10, 15, 20, 25 or 30.",
    ).tag(config=True)

    @line_magic
    @magic_command
    def hubic(self, line: str = ""):
        """Show a hubiC account: %hubic account | usage | links | publish | unpublish | credentials | scopes.

        Run ``%hubic --help`` for the options and examples.
        """
        parser = build_parser()
        arguments = parser.parse_args(move_leading_options(split_arguments(line)))
        if arguments.command is None:
            parser.print_help()
            return None

        if arguments.command == "publish":
            # Every argument is checked before the account is even looked up.
            container, path = split_target(arguments.target)
            ttl = check_link_ttl(arguments.ttl if arguments.ttl is not None else self.link_ttl)
            client = self._client(arguments.account)
            return self.store_or_return(self._publish(client, container, path, ttl, arguments.comment), arguments.out)
        if arguments.command == "unpublish":
            uri = arguments.uri if arguments.uri.startswith("/") else "/" + arguments.uri
            self._client(arguments.account).unpublish(uri)
            print(f"Unpublished {uri}")
            return None

        client = self._client(arguments.account)
        logger.debug("%%hubic %s on account %s", arguments.command, arguments.account)
        return self.store_or_return(self._table(client, arguments.command), arguments.out)

    def _client(self, name: str) -> HubicClient:
        """Return the ``HubicClient`` of account ``name``."""
        return account_client(
            name,
            HubicClient,
            kind="hubic",
            service="hubiC",
            default_name=DEFAULT_ACCOUNT,
            sign_in_hint="sign in with %hubic_login, set the HUBIC_* variables, or run %ovhub sandbox",
        )

    def _table(self, client: HubicClient, command: str) -> Any:
        if command == "account":
            return api_frames.hubic_account_frame(client.account())
        if command == "usage":
            return api_frames.hubic_usage_frame(client.usage())
        if command == "links":
            return api_frames.hubic_links_frame(self._links(client))
        if command == "credentials":
            return api_frames.hubic_credentials_frame(client.credentials())
        return api_frames.hubic_scopes_frame(client.scopes())

    def _links(self, client: HubicClient) -> Any:
        """Return the links with their details, or without them when the sign-in lacks getAllLinks.r."""
        try:
            return client.all_links()
        except errors.BadRequestError as exc:
            if exc.code != "insufficient_scope":
                raise
            logger.info("the hubiC sign-in lacks getAllLinks.r; listing the links without their details")
            return client.links()

    def _publish(self, client: HubicClient, container: str, path: str, ttl: int, comment: str) -> Any:
        link = dict(client.publish(container, path, ttl, comment))
        # The response has the URL and dates, and the request adds what the link was made with.
        for name, value in (("uri", path), ("container", container), ("ttl", ttl), ("comment", comment)):
            link.setdefault(name, value)
        return api_frames.hubic_links_frame([link])
