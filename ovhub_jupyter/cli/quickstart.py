"""``ovhub quickstart``: run the quickstart notebook against the sandbox and show what it does.

The notebook runs cell by cell in a real Jupyter kernel, as in JupyterLab, and each code
cell is printed to the terminal with its text output. Nothing leaves the machine, because
the notebook starts the in-process sandbox itself. ``--save`` also writes the executed
notebook.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

# The quickstart notebook inside a source checkout (an editable install, as the README's).
DEFAULT_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01-quickstart.ipynb"

# Seconds a single cell may run before the run is abandoned.
CELL_TIMEOUT = 300


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ovhub quickstart",
        description="Run the quickstart notebook against the local sandbox and print each cell with its output.",
    )
    parser.add_argument(
        "notebook",
        nargs="?",
        type=Path,
        default=DEFAULT_NOTEBOOK,
        help="notebook to run (default: notebooks/01-quickstart.ipynb of this checkout)",
    )
    parser.add_argument("--save", metavar="PATH", type=Path, help="also write the executed notebook to PATH")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(list(sys.argv[1:] if argv is None else argv))
    if not arguments.notebook.is_file():
        print(
            f"ovhub quickstart: notebook not found: {arguments.notebook} "
            "(run from a source checkout, or pass the notebook's path)",
            file=sys.stderr,
        )
        return 1

    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(arguments.notebook, as_version=4)
    # Unix sockets in a private folder rather than TCP ports, so only this user can reach
    # the kernel. The path is absolute because the kernel runs in the notebook's folder.
    sockets = tempfile.TemporaryDirectory(prefix="ovhub-quickstart-")
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets.name) / "kernel"))
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(arguments.notebook.parent)}},
    )
    failed = None
    try:
        client.execute()
    except CellExecutionError as exc:
        failed = exc
    finally:
        # nbclient leaves a kernel it was given running; stop it before removing its sockets.
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=False)
        sockets.cleanup()
        print_notebook(notebook)
        if arguments.save:
            nbformat.write(notebook, arguments.save)
            print(f"Executed notebook written to {arguments.save}")

    if failed is not None:
        print(f"ovhub quickstart: a cell failed: {str(failed).strip().splitlines()[-1]}", file=sys.stderr)
        return 1
    return 0


def print_notebook(notebook) -> None:  # noqa: ANN001 - an nbformat NotebookNode
    """Print every executed code cell with its text outputs."""
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        print(f"\nIn [{cell.execution_count}]:")
        print("    " + cell.source.replace("\n", "\n    "))
        for output in cell.get("outputs", []):
            text = output_text(output)
            if text:
                print(text.rstrip("\n"))


def output_text(output) -> str:  # noqa: ANN001
    """Return the plain-text form of one cell output, as a terminal shows it."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    data = output.get("data", {})
    return data.get("text/plain", "")
