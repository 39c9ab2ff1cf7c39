"""``%ovhub``: the sandbox, the configured accounts, and the default Swift account."""

from __future__ import annotations

import argparse
import logging
import urllib.error
from urllib.parse import urlsplit

from IPython.core.magic import line_magic, magics_class

from .. import frames
from ..core import errors
from ..core.accounts import REGISTRY
from .base import MagicArgumentParser, OvhubMagicsBase, magic_command, split_arguments

logger = logging.getLogger(__name__)

HELP_EPILOG = """\
examples:
  %ovhub sandbox                 start the local sandbox and sign in to its accounts
  %ovhub sandbox --url http://127.0.0.1:8765
                                 use a sandbox started with python -m ovhub_jupyter.sandbox
  %ovhub sandbox --stop          stop the sandbox this kernel started
  %ovhub accounts                list the configured accounts as a DataFrame
  %ovhub use swift               make "swift" the account %swift uses by default
  %ovhub reload                  read ovh.conf, ovhub.conf and the environment again
"""


def build_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%ovhub",
        description="Manage the sandbox and the accounts the other magics use.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser("sandbox", help="start (or reuse) the local sandbox and register its accounts")
    sandbox.add_argument("--url", help="use a sandbox already running at this URL instead of starting one")
    sandbox.add_argument("--stop", action="store_true", help="stop the sandbox this kernel started and forget its accounts")

    accounts = commands.add_parser("accounts", help="list the configured accounts (never a secret)")
    accounts.add_argument("--out", metavar="NAME", help="store the DataFrame in this variable instead of showing it")

    use = commands.add_parser("use", help="set the default Swift account")
    use.add_argument("name", help="account name, such as hubic, swift or ovh:PROJECT:REGION")

    commands.add_parser("reload", help="read the configuration files and environment variables again")
    return parser


@magics_class
class OvhubMagics(OvhubMagicsBase):
    """The ``%ovhub`` magic."""

    @line_magic
    @magic_command
    def ovhub(self, line: str = ""):
        """Manage the sandbox and the accounts: %ovhub sandbox | accounts | use NAME | reload.

        Run ``%ovhub --help`` for the options and examples.
        """
        parser = build_parser()
        arguments = parser.parse_args(split_arguments(line))
        if arguments.command is None:
            parser.print_help()
            return None
        if arguments.command == "sandbox":
            return self._sandbox(arguments)
        if arguments.command == "accounts":
            return self.store_or_return(frames.accounts_frame(REGISTRY), arguments.out)
        if arguments.command == "use":
            REGISTRY.set_default(arguments.name)
            print(f"Default Swift account: {arguments.name}")
            return None
        if arguments.command == "reload":
            from ..core.account_sources import load_configured_accounts

            names = load_configured_accounts(REGISTRY)
            print(f"Accounts from configuration: {', '.join(names) if names else 'none'}")
            return None
        return None

    def _sandbox(self, arguments) -> None:  # noqa: ANN001
        from ..core.account_sources import forget_sandbox_accounts, register_sandbox_accounts
        from ..sandbox import Sandbox, shared_sandbox, stop_shared_sandbox

        if arguments.stop:
            forget_sandbox_accounts(REGISTRY)
            if stop_shared_sandbox():
                print("Sandbox stopped; its accounts were removed.")
            else:
                print("The sandbox's accounts were removed; a sandbox started outside this kernel keeps running.")
            return None

        if arguments.url:
            sandbox = Sandbox.attach(check_sandbox_url(arguments.url))
            config = attached_sandbox_config(sandbox)
        else:
            sandbox = shared_sandbox()
            config = sandbox.config
        names = register_sandbox_accounts(REGISTRY, config)
        print(f"Sandbox running at {sandbox.url}")
        print(f"Accounts: {', '.join(names)} (default Swift account: {REGISTRY.default})")
        return None


def check_sandbox_url(url: str) -> str:
    """Return ``url`` when it is an http(s) URL with a host, or raise before any request."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.InvalidInputError(
            f"invalid sandbox URL {url!r}",
            hint="give it with its scheme, as the sandbox prints it: http://127.0.0.1:PORT",
        )
    return url


def attached_sandbox_config(sandbox) -> dict:  # noqa: ANN001 - a Sandbox handle
    """Return the demo accounts of the sandbox at ``sandbox.url``, or raise a one-line error."""
    from ..sandbox.server import SandboxControlError

    start_hint = "start one with python -m ovhub_jupyter.sandbox, or run %ovhub sandbox without --url"
    try:
        return sandbox.control("GET", "config")
    except SandboxControlError as exc:
        raise errors.ServiceError(
            f"{sandbox.url} is not an ovhub_jupyter sandbox (GET /_sandbox/config answered HTTP {exc.status})",
            hint=start_hint,
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise errors.ConnectionFailedError(f"no sandbox answers at {sandbox.url}: {reason}", hint=start_hint) from None
