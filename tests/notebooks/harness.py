"""Run the tutorial notebooks in a real Jupyter kernel, isolated from the user's configuration.

The kernels get an empty home folder, an ``OVHUB_CONFIG`` that points into it and no
``OVH_*`` or ``HUBIC_*`` variables, so a developer's own ``ovh.conf`` or ``ovhub.conf``
can neither change the outputs nor be reached by a notebook. Each notebook starts its own
in-process sandbox with ``%ovhub sandbox``, so a run needs no network.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbformat import NotebookNode

REPOSITORY = Path(__file__).resolve().parents[2]

# The tutorial notebooks, checked by nbval with their committed outputs.
NOTEBOOKS_DIR = REPOSITORY / "notebooks"

# Regular expressions that replace the values which change from run to run before nbval
# compares outputs (ports, tokens, ids, clock times, temp URL signatures).
SANITIZE_FILE = Path(__file__).resolve().parent / "nbval-sanitize.cfg"

# Seconds one cell may run before the run fails. The slowest notebook took about 7 s in all
# on 2 shared cores, so a cell that reaches this limit has hung.
CELL_TIMEOUT = 120


def notebook_paths() -> list[Path]:
    """Return the tutorial notebooks in reading order."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def isolated_environment(home: Path) -> dict[str, str]:
    """Return this process's environment with ``home`` as HOME and TMPDIR, and no account variables."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("OVH_", "HUBIC_", "OVHUB_"))
    }
    home.mkdir(parents=True, exist_ok=True)
    environment["HOME"] = str(home)
    environment["OVHUB_CONFIG"] = str(home / "ovhub.conf")
    environment["IPYTHONDIR"] = str(home / ".ipython")
    # The in-process sandbox keeps its data in a temporary folder that outlives the kernel
    # (the kernel exits without stopping it), so that folder goes inside ``home`` too.
    temporary = home / "tmp"
    temporary.mkdir(exist_ok=True)
    environment["TMPDIR"] = str(temporary)
    return environment


def execute(notebook: NotebookNode, home: Path, cwd: Path = NOTEBOOKS_DIR) -> NotebookNode:
    """Run every cell of ``notebook`` in a fresh kernel started in ``cwd``; return the notebook.

    Widget state is saved in ``metadata.widgets``, as JupyterLab saves it, so the panels
    and progress bars render in a viewer. Raises ``nbclient.exceptions.CellExecutionError``
    when a cell fails.
    """
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # jupyter_client runs a "python3" kernel spec whose command is "python" with this
    # interpreter (sys.executable), so the kernel sees the same packages as the tests.
    # Unix sockets inside the private home folder rather than TCP ports, so only this
    # user can reach the kernel.
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(home / "kernel"))
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=CELL_TIMEOUT,
        store_widget_state=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env=isolated_environment(home))
    finally:
        # nbclient does not stop a kernel it was given, so this stops it and its sandbox.
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=False)
    return notebook


def read(path: Path) -> NotebookNode:
    """Read a notebook as nbformat version 4."""
    return nbformat.read(path, as_version=4)
