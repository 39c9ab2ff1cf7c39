"""Run the tutorial notebooks and save them with their outputs, for nbval to compare against.

    python -m tests.notebooks.execute                      # every notebook in notebooks/
    python -m tests.notebooks.execute notebooks/02-hubic.ipynb

Run it after changing a notebook or an output format, review the diff, and commit the
notebooks with their outputs. Each notebook runs top to bottom in a fresh kernel, against
the sandbox it starts, with the user's configuration hidden (see ``harness``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.notebooks.execute", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every one in notebooks/)")
    arguments = parser.parse_args(argv)

    paths = arguments.notebooks or harness.notebook_paths()
    for path in paths:
        started = time.monotonic()
        notebook = harness.read(path)
        with tempfile.TemporaryDirectory(prefix="ovhub-notebook-home-") as home:
            harness.execute(notebook, Path(home), cwd=path.resolve().parent)
        nbformat.write(notebook, path)
        print(f"{path}: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
