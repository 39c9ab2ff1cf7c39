"""Command line: ``python -m ovhub_jupyter.sandbox [--host H] [--port N] [--data DIR]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from .server import Sandbox, is_loopback_host


def port_number(text: str) -> int:
    """Return ``text`` as a TCP port (0 to 65535; 0 picks a free one), or raise for argparse."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: give a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: give a number from 0 to 65535 (0 picks a free port)")
    return port


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ovhub_jupyter.sandbox",
        description="Serve a local emulation of the OVHcloud API, hubiC, Keystone and OpenStack Swift.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=0, help="port to listen on (default: a free port)")
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="folder that keeps accounts and stored objects between runs (default: a temporary folder, removed on exit)",
    )
    parser.add_argument(
        "--listing-limit",
        type=int,
        metavar="N",
        help="Swift container_listing_limit: the page size and maximum 'limit' of listings (default: 10000)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request to standard error")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    if not is_loopback_host(arguments.host):
        print(
            f"warning: listening on {arguments.host}, not loopback: the demo accounts' secrets are served to anyone who can connect",
            file=sys.stderr,
        )
    settings = {}
    if arguments.listing_limit is not None:
        settings["container_listing_limit"] = arguments.listing_limit
        settings["account_listing_limit"] = arguments.listing_limit

    sandbox = Sandbox(host=arguments.host, port=arguments.port, data_dir=arguments.data, settings=settings)
    sandbox.start()
    print(f"Sandbox running at {sandbox.url}", flush=True)
    print(f"Demo accounts: {sandbox.url}/_sandbox/config   Stop with Ctrl-C.", flush=True)

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
