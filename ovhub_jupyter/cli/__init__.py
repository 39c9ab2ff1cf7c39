"""The ``ovhub`` terminal command: sign-in flows for machines and people without a notebook.

    ovhub hubic-token   get a hubiC refresh token (browser and loopback callback, or the consent form)
    ovhub ovh-app       create an OVHcloud API application and a validated consumer key
    ovhub sandbox       run the local sandbox (same as python -m ovhub_jupyter.sandbox)
    ovhub quickstart    run the quickstart notebook against the sandbox and print its cells

Each subcommand lives in its own module with a ``main(argv) -> int``.
"""

from __future__ import annotations

import importlib
import sys

# Subcommand name -> (module under ovhub_jupyter.cli or a full module path, one-line help).
COMMANDS = {
    "hubic-token": ("ovhub_jupyter.cli.hubic_token", "get a hubiC refresh token and print the configuration to use"),
    "ovh-app": ("ovhub_jupyter.cli.ovh_app", "create an OVHcloud API application and consumer key"),
    "quickstart": ("ovhub_jupyter.cli.quickstart", "run the quickstart notebook against the sandbox and print each cell"),
    "sandbox": ("ovhub_jupyter.sandbox.__main__", "run the local sandbox of the OVHcloud API, hubiC, Keystone and Swift"),
}


def usage() -> str:
    lines = ["usage: ovhub COMMAND [OPTIONS]", "", "commands:"]
    lines += [f"  {name:<13} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += ["", "Run 'ovhub COMMAND --help' for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    command, rest = arguments[0], arguments[1:]
    if command not in COMMANDS:
        print(f"ovhub: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
