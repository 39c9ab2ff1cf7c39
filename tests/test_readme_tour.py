"""The README's tour runs line by line in a real IPython shell against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

from tests.magics.conftest import isolated_config, shell  # noqa: F401 - fixtures

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the README's tour has no python block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_tour_runs_without_error(shell, isolated_config, capsys):  # noqa: F811
    failures = []
    for line in tour_lines():
        result = shell.run_cell(line, store_history=False)
        if not result.success:
            failures.append(f"{line!r}: {result.error_in_exec or result.error_before_exec}")

    assert failures == []
    assert (isolated_config / "local").is_dir()
    assert "Sandbox running at" in capsys.readouterr().out


def test_readme_tour_is_not_empty():
    lines = tour_lines()

    assert any(line.startswith("%swift") for line in lines)
    assert any(line.startswith("%ovh ") for line in lines)
    assert any(line.startswith("%hubic") for line in lines)
