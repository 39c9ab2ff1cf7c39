"""No secret of the sandbox appears in a notebook's outputs, saved widget state or DEBUG log."""

from __future__ import annotations

import nbformat
import pytest

from . import harness
from .leaks import find_leaks, run_with_probes

NOTEBOOKS = harness.notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_leaks_no_secret(path, probed_run):
    run = probed_run(path)

    assert len(run.secrets) >= 13, "the probe found fewer secrets than the demo accounts hold"
    assert any(secret["label"].startswith("token ") for secret in run.secrets), "the run issued no token"
    assert "ovhub_jupyter" in run.log_text, "the DEBUG log of ovhub_jupyter is empty"
    assert find_leaks(run) == []


def test_leak_check_reports_each_place(tmp_path):
    """Secrets in an output, a widget and a log line are each reported. A 4-character prefix is not."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext ovhub_jupyter\n%ovhub sandbox"),
        nbformat.v4.new_code_cell(
            "from ovhub_jupyter.sandbox import shared_sandbox\n"
            "%swift containers --out containers\n"
            "tokens = shared_sandbox().app.state.tokens._tokens.values()\n"
            "swift_token = [token.value for token in tokens if token.kind == 'swift'][0]"
        ),
        nbformat.v4.new_code_cell("print('token prefix', swift_token[:4] + '…')"),
        nbformat.v4.new_code_cell("print(swift_token)"),
        nbformat.v4.new_code_cell(
            "import ipywidgets\n"
            "ipywidgets.Text(value=shared_sandbox().config['hubic']['client_secret'])"
        ),
        nbformat.v4.new_code_cell(
            "import logging\n"
            "logging.getLogger('ovhub_jupyter.canary').info('key ends %s', shared_sandbox().config['swift']['key'][-12:])"
        ),
    ]
    for number, cell in enumerate(notebook.cells):
        cell.id = f"canary-{number}"

    leaks = find_leaks(run_with_probes(notebook, tmp_path, cwd=tmp_path))

    places = {(leak.label, leak.where) for leak in leaks}
    assert places == {
        ("token swift", "cell 4 (id canary-3) outputs"),
        # The widget's text/plain repr shows its value, and so does the saved state.
        ("hubic.client_secret", "cell 5 (id canary-4) outputs"),
        ("hubic.client_secret", "widget state"),
        ("swift.key", "log"),
    }
