"""``ovhub quickstart`` runs the quickstart notebook in a real kernel and prints its cells."""

from __future__ import annotations

import subprocess
import sys


def run_quickstart(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "ovhub_jupyter.cli", "quickstart", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_quickstart_lists_sandbox_containers(tmp_path):
    result = run_quickstart(cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Sandbox running at http://127.0.0.1:" in result.stdout
    assert "%swift containers" in result.stdout
    containers_table = result.stdout.split("%swift containers", 1)[1]
    assert "name  count  bytes" in containers_table
    assert "default_segments" in containers_table
    assert "results/summary-by-region.csv" in result.stdout


def test_quickstart_saves_executed_notebook(tmp_path):
    import nbformat

    saved = tmp_path / "executed.ipynb"
    result = run_quickstart("--save", str(saved), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    executed = nbformat.read(saved, as_version=4)
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    assert not any(output.output_type == "error" for cell in code_cells for output in cell.outputs)


def test_quickstart_missing_notebook_fails_in_one_line(tmp_path):
    result = run_quickstart(str(tmp_path / "absent.ipynb"), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "notebook not found" in result.stderr
