"""``ovhub hubic-token``: sign in to hubiC from a terminal and print the configuration to use.

This does what the Elixir library ExOvh's ``mix hubic`` task did: run the OAuth2
authorization-code flow once and hand the user a refresh token with the application's
settings, ready for ovhub.conf or the environment. Three ways to get the code:

- by default, print the authorize URL, open a browser on it, and receive the redirect on
  the loopback redirect URI (``http://localhost:PORT/``);
- ``--paste``: read the redirected URL (or its code) from standard input, for a machine
  without a browser;
- ``--login EMAIL``: fill hubiC's consent form over HTTP with the password read from the
  terminal, as ``mix hubic`` and hubicfuse's token script did.

Prompts and progress go to standard error; the configuration goes to standard output, so
``ovhub hubic-token > hubic.env`` keeps only the configuration.
"""

from __future__ import annotations

import argparse
import getpass
import shlex
import sys
import webbrowser
from collections.abc import Mapping
from typing import TextIO

from ..core import configfile, errors, hubic
from ..core.http import HttpClient
from ..core.oauth_callback import AuthorizationResult, CallbackServer

PROGRAM = "ovhub hubic-token"

# Seconds to wait for the browser's redirect on the loopback callback.
DEFAULT_CALLBACK_TIMEOUT = 300.0

DESCRIPTION = """\
Sign in to hubiC with the OAuth2 authorization-code flow and print the configuration
to use: an ovhub.conf section and the equivalent HUBIC_* environment variables.

The output contains the client secret and the refresh token: printing them is the
purpose of this command, as it was of ExOvh's "mix hubic". Keep the output private,
or use --save to write it to ovhub.conf (mode 0600) instead of printing it.

The client id and secret come from the options, then HUBIC_CLIENT_ID and
HUBIC_CLIENT_SECRET, then the account's section of ovhub.conf. A missing secret is
asked for without echo. --sandbox URL takes the client and URLs of a running ovhub sandbox.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )

    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--login",
        metavar="EMAIL",
        help="fill the consent form with this hubiC email; the password is read from the terminal without echo",
    )
    mode.add_argument(
        "--paste", action="store_true", help="read the redirected URL (or its code) from standard input"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the authorize URL without opening a browser on it"
    )

    parser.add_argument("--client-id", help="the application's client id (default: HUBIC_CLIENT_ID)")
    parser.add_argument(
        "--client-secret", help="the application's client secret (default: HUBIC_CLIENT_SECRET, else a prompt)"
    )
    parser.add_argument(
        "--redirect-uri",
        help=f"the redirect URI registered for the application (default: HUBIC_REDIRECT_URI, else {hubic.DEFAULT_REDIRECT_URI})",
    )

    parser.add_argument("--scope", help=f"comma-separated perimeter.rights (default: {hubic.DEFAULT_SCOPE})")
    parser.add_argument("--auth-url", help=f"the authorize endpoint (default: {hubic.DEFAULT_AUTH_URL})")
    parser.add_argument("--token-url", help=f"the token endpoint (default: {hubic.DEFAULT_TOKEN_URL})")
    parser.add_argument("--api-url", help=f"the REST API base URL (default: {hubic.DEFAULT_API_URL})")
    parser.add_argument(
        "--sandbox", metavar="URL", help="use the hubiC of an ovhub sandbox at URL (its client and endpoints)"
    )

    parser.add_argument(
        "--account",
        default=hubic.DEFAULT_ACCOUNT_NAME,
        help="the account's name: its ovhub.conf section (default: %(default)s)",
    )
    parser.add_argument("--save", action="store_true", help="write the account to ovhub.conf instead of printing it")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_CALLBACK_TIMEOUT,
        help="seconds to wait for the browser's redirect (default: %(default)g)",
    )
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None) -> int:
    """Run the command; return the exit status (0, or 1 after an error shown on one line)."""
    arguments = build_parser().parse_args(argv)
    stdin = stdin or sys.stdin
    try:
        run(arguments, stdin)
    except errors.OvhubError as exc:
        print(f"{PROGRAM}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{PROGRAM}: cancelled", file=sys.stderr)
        return 1
    return 0


def run(arguments: argparse.Namespace, stdin: TextIO) -> None:
    """Get the code, exchange it, check the account, and print or save the configuration."""
    app = resolve_app(arguments)

    result = obtain_code(arguments, app, stdin)
    warn_about_scope(result)

    client = hubic.HubicClient(app)
    try:
        tokens = client.exchange_code(result)
        describe_account(client)
    finally:
        client.close()
    assert tokens.refresh_token is not None

    if arguments.save:
        path = hubic.save_refresh_token(app, tokens.refresh_token, arguments.account)
        print(f"Saved the hubiC account {arguments.account!r} to {path} (mode 0600).", file=sys.stderr)
    else:
        sys.stdout.write(format_configuration(arguments.account, hubic.config_values(app, tokens.refresh_token)))
        sys.stdout.flush()


# -- the application's settings -------------------------------------------------------------


def resolve_app(arguments: argparse.Namespace) -> hubic.HubicApp:
    """Build the application from the options, the sandbox, the environment and ovhub.conf."""
    given = {
        "client_id": arguments.client_id,
        "client_secret": arguments.client_secret,
        "redirect_uri": arguments.redirect_uri,
        "scope": arguments.scope,
        "auth_url": arguments.auth_url,
        "token_url": arguments.token_url,
        "api_url": arguments.api_url,
    }
    settings = {key: value for key, value in given.items() if value}

    if arguments.sandbox:
        # The sandbox's own client: the environment and ovhub.conf describe another server.
        fallback: Mapping[str, str] = sandbox_settings(arguments.sandbox)
    else:
        # As in hubic.load_account: HUBIC_* variables describe the account named "hubic" only.
        fallback = dict(configfile.ovhub_accounts().get(arguments.account, {}))
        if arguments.account == hubic.DEFAULT_ACCOUNT_NAME:
            fallback.update(hubic.settings_from_environment())
    for key in hubic.ENVIRONMENT_VARIABLES:
        if key != "refresh_token" and not settings.get(key) and fallback.get(key):
            settings[key] = fallback[key]

    if not settings.get("client_id"):
        raise errors.ConfigError(
            "missing hubiC client id",
            hint="pass --client-id, set HUBIC_CLIENT_ID, or use --sandbox URL with a running ovhub sandbox",
        )
    if not settings.get("client_secret"):
        settings["client_secret"] = getpass.getpass("hubiC client secret: ")
    return hubic.app_from_settings(settings)


def sandbox_settings(url: str) -> dict[str, str]:
    """Return the hubiC client and endpoints of the sandbox at ``url`` (``GET /_sandbox/config``)."""
    client = HttpClient("sandbox")
    config_url = url.rstrip("/") + "/_sandbox/config"
    try:
        response = client.request("GET", config_url)
        if response.status_code != 200:
            raise errors.ConfigError(
                f"{config_url} returned HTTP {response.status_code}", hint="check that --sandbox gives the sandbox's URL"
            )
        try:
            section = response.json()["hubic"]
        except (ValueError, KeyError, TypeError):
            raise errors.ConfigError(
                f"{config_url} has no hubiC configuration", hint="check that --sandbox gives an ovhub sandbox's URL"
            ) from None
    finally:
        client.close()
    keys = ("client_id", "client_secret", "redirect_uri", "auth_url", "token_url", "api_url")
    return {key: str(section[key]) for key in keys if section.get(key)}


# -- getting the code -----------------------------------------------------------------------------


def obtain_code(arguments: argparse.Namespace, app: hubic.HubicApp, stdin: TextIO) -> AuthorizationResult:
    """Get the authorization code by the chosen way: consent form, pasted URL, or loopback callback."""
    if arguments.login:
        password = getpass.getpass(f"hubiC password for {arguments.login}: ")
        if not password:
            raise errors.InvalidInputError("no password was given", hint="type the hubiC password at the prompt")
        return hubic.authorize_with_password(app, arguments.login, password)

    request = hubic.start_authorization(app)
    if arguments.paste:
        return paste_code(request, stdin)
    return receive_code(arguments, app, request)


def paste_code(request: hubic.AuthorizationRequest, stdin: TextIO) -> AuthorizationResult:
    """Print the authorize URL and read the redirected URL from ``stdin``."""
    say("Open this URL in a browser, sign in and accept:")
    say(f"\n    {request.url}\n")
    say("Then paste the URL the browser was sent to (the page may fail to load; copy its address):")
    line = stdin.readline()
    if not line.strip():
        raise errors.InvalidInputError(
            "nothing was pasted", operation="sign-in", hint="paste the redirected URL, or run without --paste"
        )
    return hubic.parse_redirect(line, request.state)


def receive_code(
    arguments: argparse.Namespace, app: hubic.HubicApp, request: hubic.AuthorizationRequest
) -> AuthorizationResult:
    """Open the authorize URL in a browser and wait for the redirect on the loopback callback."""
    with CallbackServer(app.redirect_uri, expected_state=request.state) as callback:
        say("Open this URL in a browser on this machine, sign in and accept:")
        say(f"\n    {request.url}\n")
        if not arguments.no_browser and open_browser(request.url):
            say("A browser was opened on it.")
        say(f"Waiting for the redirect to {app.redirect_uri} (Ctrl+C to stop)...")
        return callback.wait(arguments.timeout)


def open_browser(url: str) -> bool:
    """Try to open ``url`` in a browser; return True when one was started."""
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False


def warn_about_scope(result: AuthorizationResult) -> None:
    """Warn when the granted scope lacks Swift access, which the storage commands need."""
    if result.scope is None:
        return
    granted = hubic.parse_scope_items(result.scope.replace(" ", ","))
    if "r" not in granted.get("credentials", ""):
        say("Warning: the sign-in did not grant credentials.r, so the Swift storage will not be reachable.")


def describe_account(client: hubic.HubicClient) -> None:
    """Show whose account was signed in to; a failure here is only a warning."""
    try:
        account = client.account()
    except errors.OvhubError as exc:
        say(f"Signed in, but reading the account failed: {exc}")
        return
    email = account.get("email") if isinstance(account, dict) else None
    say(f"Signed in to hubiC as {email or 'an unknown email'}.")


# -- output ------------------------------------------------------------------------------------------


def format_configuration(account: str, values: Mapping[str, str | None]) -> str:
    """Return the ovhub.conf section and the environment variables for the signed-in account."""
    lines = [
        "# Contains the client secret and the refresh token: keep it private.",
        f"# ovhub.conf ({configfile.ovhub_config_path()})",
        f"[{account}]",
    ]
    lines += [f"{key} = {value}" for key, value in values.items() if value]
    if account == hubic.DEFAULT_ACCOUNT_NAME:
        lines += ["", "# or, in the environment"]
        lines += [f"export {name}={shlex.quote(value)}" for name, value in hubic.environment_lines(values)]
    return "\n".join(lines) + "\n"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
