"""Run a notebook with probes around it, and find the sandbox's secrets in what it left behind.

Two cells are added to the notebook for the run. The first sends the ``ovhub_jupyter``
logger, at DEBUG, to a file. The last one lists every secret of the sandbox that the
notebook started in its kernel (``sandbox_secrets.py``): the demo accounts' secrets and
the tokens issued during the run. The sandbox runs in the kernel (``%ovhub sandbox``), so
the notebooks run exactly as committed and the probe reads the very sandbox they used.

The check then looks for each secret in every cell's source and outputs, in the saved
widget state (``metadata.widgets``) and in the log.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from . import harness

# A secret counts as leaked when any run of this many of its characters shows up, so a
# secret cut short is found too. The extension shows at most 4 characters of a secret.
LEAK_WINDOW = 12

# Id of the two probe cells, so the checks can tell them from the notebook's own cells.
PROBE_CELL_IDS = ("probe-logging", "probe-secrets")

LOGGING_CELL = """\
import logging as _logging

_handler = _logging.FileHandler({log_path!r}, encoding="utf-8")
_handler.setFormatter(_logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
_logging.getLogger("ovhub_jupyter").addHandler(_handler)
_logging.getLogger("ovhub_jupyter").setLevel(_logging.DEBUG)
del _logging, _handler
"""

SECRETS_CELL = """\
def _write_sandbox_secrets(path, source):
    import json

    from ovhub_jupyter.sandbox import server

    # NOTE: the running in-process sandbox has no public accessor that does not start
    # one, so the probe reads the module's private handle.
    sandbox = server._shared
    if sandbox is None or not sandbox.running:
        raise RuntimeError("the notebook started no in-process sandbox (%ovhub sandbox)")
    namespace = {{"__name__": "sandbox_secrets"}}
    exec(compile(source, "sandbox_secrets.py", "exec"), namespace)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(namespace["sandbox_secrets"](sandbox), handle)


_write_sandbox_secrets({secrets_path!r}, {source!r})
del _write_sandbox_secrets
"""


@dataclass(frozen=True)
class Leak:
    """A secret found where it must not be. Only its kind is kept, not its value."""

    # Kind of secret, such as "hubic.refresh_token" or "token swift".
    label: str
    # Where it was found, such as "cell 4 (id 3f2a...) outputs", "widget state" or "log".
    where: str


@dataclass
class ProbedRun:
    """A notebook after a run with the probes, with the log and secrets the run produced."""

    notebook: NotebookNode
    log_text: str
    secrets: list[dict[str, str]]


def run_with_probes(notebook: NotebookNode, workdir: Path, cwd: Path = harness.NOTEBOOKS_DIR) -> ProbedRun:
    """Run ``notebook`` with the probe cells added. The log, the secrets and the kernel's home go in ``workdir``."""
    log_path = workdir / "ovhub_jupyter.log"
    secrets_path = workdir / "sandbox-secrets.json"
    source = (Path(__file__).parent / "sandbox_secrets.py").read_text(encoding="utf-8")

    probed = copy.deepcopy(notebook)
    first = nbformat.v4.new_code_cell(LOGGING_CELL.format(log_path=str(log_path)))
    first.id = PROBE_CELL_IDS[0]
    last = nbformat.v4.new_code_cell(SECRETS_CELL.format(secrets_path=str(secrets_path), source=source))
    last.id = PROBE_CELL_IDS[1]
    probed.cells = [first, *probed.cells, last]

    harness.execute(probed, workdir / "home", cwd=cwd)
    return ProbedRun(
        notebook=probed,
        log_text=log_path.read_text(encoding="utf-8") if log_path.exists() else "",
        secrets=json.loads(secrets_path.read_text(encoding="utf-8")),
    )


def find_leaks(run: ProbedRun) -> list[Leak]:
    """Return every place where a piece of a secret of ``run`` appears."""
    places = _places(run)
    leaks = []
    for secret in run.secrets:
        pieces = _pieces(secret["value"])
        for where, text in places:
            if any(piece in text for piece in pieces):
                leaks.append(Leak(secret["label"], where))
    return sorted(set(leaks), key=lambda leak: (leak.where, leak.label))


def _pieces(secret: str) -> set[str]:
    if len(secret) <= LEAK_WINDOW:
        return {secret}
    return {secret[start : start + LEAK_WINDOW] for start in range(len(secret) - LEAK_WINDOW + 1)}


def _places(run: ProbedRun) -> list[tuple[str, str]]:
    """Return ``(where, text)`` for each cell's source and outputs, the widget state and the log."""
    places = []
    for number, cell in enumerate(run.notebook.cells):
        if cell.get("id") in PROBE_CELL_IDS:
            # The probes' source is the code above, so only their outputs are checked.
            places.append((f"probe cell {cell.id} outputs", json.dumps(cell.get("outputs", []))))
            continue
        name = f"cell {number} (id {cell.get('id')})"
        places.append((f"{name} source", cell.source))
        if cell.cell_type == "code":
            places.append((f"{name} outputs", json.dumps(cell.outputs)))
    places.append(("widget state", json.dumps(run.notebook.metadata.get("widgets", {}))))
    places.append(("notebook metadata", json.dumps({k: v for k, v in run.notebook.metadata.items() if k != "widgets"})))
    places.append(("log", run.log_text))
    return places
