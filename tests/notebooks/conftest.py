"""Fixtures of the notebook tests: one probed run per notebook, shared by the tests that need it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from . import harness
from .leaks import ProbedRun, run_with_probes


@pytest.fixture(scope="session")
def probed_run(tmp_path_factory) -> Callable[[Path], ProbedRun]:
    """Return a function that runs a committed notebook with the probes, once per session.

    The leak test and the committed-outputs test both read the same run, so each
    notebook is executed once for both.
    """
    runs: dict[Path, ProbedRun] = {}

    def run(path: Path) -> ProbedRun:
        if path not in runs:
            workdir = tmp_path_factory.mktemp(f"probed-{path.stem}")
            runs[path] = run_with_probes(harness.read(path), workdir)
        return runs[path]

    return run
