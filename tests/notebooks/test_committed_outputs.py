"""The notebooks are committed as a complete top-to-bottom run, so nbval has outputs to compare.

nbval skips the comparison for a cell without an execution count, so a notebook saved
with its outputs stripped would pass nbval while checking nothing.
"""

from __future__ import annotations

import copy

import pytest
from nbformat import NotebookNode

from . import harness

NOTEBOOKS = harness.notebook_paths()
IDS = [path.stem for path in NOTEBOOKS]


def committed_problems(notebook: NotebookNode, fresh: NotebookNode | None = None) -> list[str]:
    """Return what makes ``notebook`` unfit as nbval's reference; empty when it is fit.

    ``fresh`` is a new run of the same notebook: a cell with outputs there must have
    outputs in ``notebook`` too. Cells are matched by id.
    """
    problems = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.get("execution_count") for cell in code_cells]
    for number, cell in enumerate(code_cells, start=1):
        label = f"code cell {number} (id {cell.get('id')})"
        if cell.get("execution_count") is None:
            problems.append(f"{label} has no execution count")
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            problems.append(f"{label} has an error output")
    if None not in counts and counts != list(range(1, len(code_cells) + 1)):
        problems.append(f"execution counts are {counts}, not one run from the top (1 to {len(code_cells)})")

    if fresh is not None:
        committed_outputs = {cell.get("id"): cell.get("outputs", []) for cell in code_cells}
        for cell in fresh.cells:
            if cell.cell_type == "code" and cell.outputs and cell.get("id") in committed_outputs:
                if not committed_outputs[cell.get("id")]:
                    problems.append(f"code cell (id {cell.get('id')}) has output when run, but none committed")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_committed_as_full_run(path):
    assert committed_problems(harness.read(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_commits_every_output(path, probed_run):
    assert committed_problems(harness.read(path), fresh=probed_run(path).notebook) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_starts_with_sandbox(path):
    first = next(cell for cell in harness.read(path).cells if cell.cell_type == "code")

    assert first.source.splitlines()[:2] == ["%load_ext ovhub_jupyter", "%ovhub sandbox"]


def test_check_reports_stripped_notebook():
    notebook = harness.read(harness.NOTEBOOKS_DIR / "01-quickstart.ipynb")
    stripped = copy.deepcopy(notebook)
    for cell in stripped.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None

    problems = committed_problems(stripped, fresh=notebook)

    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    assert sum("has no execution count" in problem for problem in problems) == code_cells
    assert any("has output when run, but none committed" in problem for problem in problems)


def test_check_reports_error_and_rerun():
    notebook = harness.read(harness.NOTEBOOKS_DIR / "01-quickstart.ipynb")
    broken = copy.deepcopy(notebook)
    code_cells = [cell for cell in broken.cells if cell.cell_type == "code"]
    code_cells[1].outputs.append({"output_type": "error", "ename": "NameError", "evalue": "x", "traceback": []})
    code_cells[2].execution_count = 7

    problems = committed_problems(broken)

    assert any("has an error output" in problem for problem in problems)
    assert any("not one run from the top" in problem for problem in problems)
