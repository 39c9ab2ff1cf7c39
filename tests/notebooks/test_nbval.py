"""nbval runs each notebook and compares its outputs with the committed ones.

This is how ``python -m pytest`` with no arguments includes nbval: each notebook is
checked by ``pytest --nbval`` in a child process, with the sanitize file for the values
that change from run to run. To see the cell-by-cell report yourself::

    python -m pytest --nbval --nbval-current-env \\
        --nbval-sanitize-with tests/notebooks/nbval-sanitize.cfg notebooks/
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from . import harness

NOTEBOOKS = harness.notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_matches_committed_outputs(path, tmp_path):
    command = [
        sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", str(harness.SANITIZE_FILE),
        "-p", "no:cacheprovider", "-q", str(path),
    ]

    result = subprocess.run(
        command,
        cwd=harness.REPOSITORY,
        env=harness.isolated_environment(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout
