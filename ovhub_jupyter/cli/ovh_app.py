"""``ovhub ovh-app``: create an OVHcloud API application and a validated consumer key in one go.

The steps are the ones a person would do in a browser: the createApp form, a consumer key
request, the validation page (log in, two-factor code when asked, validity, accept), then
``GET /me`` to confirm. The result is the ovh.conf section to paste, or the file written
with ``--save``. Progress and prompts go to standard error, so standard output carries
only the configuration.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from ..core import config, errors
from ..core.ovh import OvhClient, resolve_endpoint
from ..core.ovh_keys import ACCESS_RULE_PRESETS, create_app_url, create_application, parse_access_rules, validate_consumer_key

PROGRAM = "ovhub ovh-app"

# Seconds to wait for the validation when the user opens the page (--no-validate).
DEFAULT_WAIT = 600.0

DESCRIPTION = """\
Create an OVHcloud API application, request a consumer key with the given access rules,
validate it, and print the ovh.conf lines to use.

The printed lines contain the application secret and the consumer key: that is what
this command is for. Keep them private, or use --save to write them to a file readable
only by you (mode 0600) instead of printing them.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appname", required=True, help="name of the new application (unique in the account)")
    parser.add_argument("--appdesc", required=True, help="description of the new application")
    parser.add_argument("--endpoint", default="ovh-eu",
                        help="API endpoint name (ovh-eu, ovh-ca, ovh-us, kimsufi-eu, ...) or base URL; default ovh-eu")
    parser.add_argument("--nic", help="account id (NIC handle) or email; asked for when not given")
    parser.add_argument("--rules", default="full",
                        help="access rules as METHOD:PATH,... or a preset (" + ", ".join(ACCESS_RULE_PRESETS)
                        + "); default full: GET, POST, PUT and DELETE on /*")
    parser.add_argument("--duration", type=int, default=0,
                        help="validity of the consumer key in seconds, one the validation page offers; 0 (default) is unlimited")
    parser.add_argument("--redirection", help="URL the validation page sends the browser to afterwards")
    parser.add_argument("--save", nargs="?", const="~/.ovh.conf", metavar="PATH",
                        help="write the keys into an ovh.conf file (default ~/.ovh.conf) instead of printing them")
    parser.add_argument("--no-validate", action="store_true",
                        help="print the validation URL and wait for you to validate it in a browser")
    parser.add_argument("--wait", type=float, default=DEFAULT_WAIT,
                        help=f"seconds to wait for the validation with --no-validate; default {DEFAULT_WAIT:.0f}")
    parser.add_argument("--create-app-url", help="address of the createApp page, when it is not <host>/createApp/")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        run(arguments, sys.stdout, sys.stderr)
    except errors.OvhubError as exc:
        print(f"{PROGRAM}: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print(f"\n{PROGRAM}: interrupted; nothing was saved", file=sys.stderr)
        return 1
    return 0


def run(arguments: argparse.Namespace, out: TextIO, status: TextIO) -> None:
    """Carry out the steps; raise ``OvhubError`` on the first failure."""
    resolve_endpoint(arguments.endpoint)
    rules = parse_access_rules(arguments.rules)
    if arguments.duration < 0:
        raise errors.InvalidInputError(f"invalid --duration {arguments.duration}", hint="give seconds, or 0 for unlimited")
    nic = arguments.nic or ask("Account ID or email: ", status)
    password = getpass.getpass(f"Password for {nic}: ")

    page = arguments.create_app_url or create_app_url(arguments.endpoint)
    print(f"Creating application {arguments.appname!r} at {page} ...", file=status)
    keys = create_application(arguments.endpoint, nic, password, arguments.appname, arguments.appdesc, url=page)

    client = OvhClient(arguments.endpoint, keys.application_key, keys.application_secret)
    answer = client.request_consumer_key(rules, redirection=arguments.redirection)
    consumer_key = answer["consumerKey"]

    if arguments.no_validate:
        print(f"Open this URL, log in and accept:\n  {answer['validationUrl']}", file=status)
        print(f"Waiting up to {arguments.wait:.0f} s for the validation ...", file=status)
        state = client.wait_for_validation(consumer_key, timeout=arguments.wait)
    else:
        print("Validating the consumer key ...", file=status)
        state = validate_consumer_key(
            answer["validationUrl"], nic, password, arguments.duration,
            totp_code=lambda: ask("Two-factor code: ", status),
            redirection=arguments.redirection,
        )
    if state != "validated":
        raise errors.SignInRequiredError(f"the consumer key was {state}", service="ovh",
                                         hint="run the command again and accept the access request")

    client.consumer_key = consumer_key
    me = client.whoami()
    print(f"Signed in as {me.get('nichandle')} ({me.get('email')}).", file=status)

    endpoint = client.endpoint
    if arguments.save:
        path = config.save_ovh_keys(endpoint, keys.application_key, keys.application_secret, consumer_key, arguments.save)
        print(f"Saved the keys for {endpoint} in {path} (mode 0600).", file=status)
    else:
        print("Add these lines to ~/.ovh.conf (they contain secrets):", file=status)
        out.write(config.ovh_conf_text(endpoint, keys.application_key, keys.application_secret, consumer_key))
        out.flush()


def ask(prompt: str, status: TextIO) -> str:
    """Read one line from standard input after writing ``prompt`` to ``status``."""
    status.write(prompt)
    status.flush()
    answer = input().strip()
    if not answer:
        raise errors.InvalidInputError(f"no answer to {prompt.strip().rstrip(':')!r}", hint="run the command again")
    return answer


if __name__ == "__main__":
    sys.exit(main())
