"""The sign-in panels in a real JupyterLab page, driven by Debian's chromium.

Each test opens a tutorial notebook in JupyterLab and runs its sign-in cell against
the test's sandbox. It presses the panel's button with a real click, so the consent or
validation page opens in a new tab from the click itself, as a popup blocker requires.
It fills that page as a person would, waits for the panel to report the signed-in
account, and then checks that no secret is in the notebook page.

The test inserts a setup cell before the sign-in cell and runs only these two. The setup
cell loads the extension and attaches the kernel to the test's sandbox with
``%ovhub sandbox --url``. For hubiC, the test registers its own application with a free
loopback redirect URI, because another process may hold port 53682 of the demo
application, and appends that application's options to the ``%hubic_login`` line.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from tests.browser.conftest import PAGE_TIMEOUT_MS
from tests.browser.lab import (
    append_to_magic_line,
    assert_no_secret,
    code_cell,
    copy_notebook,
    page_texts,
    run_cell,
    wait_for_notebook,
    write_private_json,
)
from tests.widgets.conftest import register_hubic_client, sandbox_secrets, totp_code

pytestmark = pytest.mark.browser

# Seconds between the OVH panel's first two checks of the consumer key, instead of 2.
VALIDATION_POLL_INTERVAL = 0.2

# Variable that the setup cell sets to the hubiC options. The sign-in line names it, so
# IPython expands it when the magic runs and the client secret stays out of the cell's text.
HUBIC_OPTIONS_VARIABLE = "browser_test_hubic_options"

WIDGET_MIME_TYPE = "application/vnd.jupyter.widget-view+json"

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"

# Options of %hubic_login that sign in without showing the panel.
NO_PANEL_OPTIONS = frozenset({"--refresh-token", "--from-config"})


def setup_source(sandbox_url: str, options_file: Path | None = None) -> str:
    """Return the setup cell: the extension, the test's sandbox, a fast validation poll, the hubiC options."""
    lines = [
        "# Added by the browser test: use the test's sandbox.",
        "%load_ext ovhub_jupyter",
        f"%ovhub sandbox --url {sandbox_url}",
        f"%config LoginMagics.validation_poll_interval = {VALIDATION_POLL_INTERVAL}",
    ]
    if options_file is not None:
        lines += [
            "import json, shlex",
            f"with open({str(options_file)!r}, encoding='utf-8') as options:",
            f"    {HUBIC_OPTIONS_VARIABLE} = shlex.join(json.load(options))",
        ]
    return "\n".join(lines)


def panel_cell(notebook: nbformat.NotebookNode, magic: str) -> int:
    """Return the index of the only code cell that shows the panel of ``magic``.

    A ``%hubic_login`` line with --refresh-token or --from-config signs in without a panel.
    """
    matches = []
    for index, cell in enumerate(notebook.cells):
        lines = [line.strip() for line in cell.source.splitlines()] if cell.cell_type == "code" else []
        if any(line.startswith(magic) and not NO_PANEL_OPTIONS.intersection(line.split()) for line in lines):
            matches.append(index)
    assert len(matches) == 1, f"expected one code cell that shows the {magic} panel, found {len(matches)}"
    return matches[0]


def assert_shows_widget(outputs: list[dict]) -> None:
    kinds = [sorted(output.get("data", {})) for output in outputs]
    assert any(WIDGET_MIME_TYPE in kind for kind in kinds), f"the cell shows no widget: {outputs}"


def open_notebook(context, jupyter_lab, name: str):
    page = context.new_page()
    page.goto(jupyter_lab.notebook_url(name))
    wait_for_notebook(page, name, PAGE_TIMEOUT_MS)
    return page


def test_hubic_panel_signs_in(lab_context, jupyter_lab, sandbox, tmp_path):
    from playwright.sync_api import expect

    context, log = lab_context
    config = sandbox.config["hubic"]
    client = register_hubic_client(sandbox)
    options = [
        "--client-id", client["client_id"],
        "--client-secret", client["client_secret"],
        "--redirect-uri", client["redirect_uri"],
        "--auth-url", config["auth_url"],
        "--token-url", config["token_url"],
        "--api-url", config["api_url"],
    ]
    options_file = write_private_json(tmp_path / "hubic-options.json", options)

    notebook = copy_notebook(NOTEBOOKS_DIR / "02-hubic.ipynb")
    login = panel_cell(notebook, "%hubic_login")
    source = notebook.cells[login].source
    notebook.cells[login].source = append_to_magic_line(source, "%hubic_login", "{" + HUBIC_OPTIONS_VARIABLE + "}")
    notebook.cells.insert(login, code_cell(setup_source(sandbox.url, options_file)))
    name = jupyter_lab.write_notebook("02-hubic.ipynb", notebook)

    page = open_notebook(context, jupyter_lab, name)
    run_cell(page, name, login, PAGE_TIMEOUT_MS)
    assert_shows_widget(run_cell(page, name, login + 1, PAGE_TIMEOUT_MS))

    panel = page.locator(".ovhub-hubic-login")
    sign_in = panel.locator(".ovhub-sign-in button")
    expect(sign_in).to_have_text("Sign in")
    expect(sign_in).to_be_enabled()
    with context.expect_page() as opened:
        sign_in.click()
    consent = opened.value
    consent.wait_for_load_state()
    assert consent.url.startswith(config["auth_url"])

    consent.locator("input[name=login]").fill(config["email"])
    consent.locator("input[name=user_pwd]").fill(config["password"])
    consent.locator("button[value=accepted]").click()
    consent.wait_for_url(client["redirect_uri"] + "?*")
    expect(consent.locator("body")).to_contain_text("You can close this tab")
    code = parse_qs(urlsplit(consent.url).query)["code"][0]

    status = panel.locator(".ovhub-status")
    expect(status).to_contain_text(f"Signed in to hubiC as {config['email']}")
    expect(panel.locator(".ovhub-account")).to_contain_text(config["email"])
    assert panel.locator(".ovhub-status-success").count() == 1
    secrets = sandbox_secrets(sandbox) + [client["client_secret"], code]
    assert_no_secret(page_texts(page), secrets, "the notebook page")
    assert not log.blocked, f"requests to other hosts were blocked: {log.blocked}"


def test_ovh_panel_gets_validated_key(lab_context, jupyter_lab, sandbox):
    from playwright.sync_api import expect

    context, log = lab_context
    config = sandbox.config["ovh"]

    notebook = copy_notebook(NOTEBOOKS_DIR / "03-ovh-api.ipynb")
    login = panel_cell(notebook, "%ovh_login")
    notebook.cells.insert(login, code_cell(setup_source(sandbox.url)))
    name = jupyter_lab.write_notebook("03-ovh-api.ipynb", notebook)

    page = open_notebook(context, jupyter_lab, name)
    run_cell(page, name, login, PAGE_TIMEOUT_MS)
    assert_shows_widget(run_cell(page, name, login + 1, PAGE_TIMEOUT_MS))

    panel = page.locator(".ovhub-ovh-login")
    request = panel.locator("button.ovhub-request")
    expect(request).to_have_text("Request")
    request.click()
    open_validation = panel.locator(".ovhub-open-validation button")
    expect(open_validation).to_be_enabled()
    with context.expect_page() as opened:
        open_validation.click()
    validation = opened.value
    validation.wait_for_load_state()
    assert validation.url.startswith(sandbox.url + "/auth/?credentialToken=")
    credential_token = parse_qs(urlsplit(validation.url).query)["credentialToken"][0]
    # The sandbox runs in this process, so its store can name the key that the page validates.
    pending = sandbox.app.services["ovh"].store.by_credential_token(credential_token)
    assert pending is not None, "the sandbox has no pending consumer key for the validation URL"

    validation.locator("#login").fill(config["nic"])
    validation.locator("#password").fill(config["password"])
    if validation.locator("#totp").count():
        validation.locator("#totp").fill(totp_code(config["totp_secret"]))
    validation.locator("button[value=authorize]").click()
    expect(validation.locator("h1")).to_have_text("Access granted")

    status = panel.locator(".ovhub-status")
    expect(status).to_contain_text(f"Signed in as {config['nic']}")
    expect(panel.locator(".ovhub-signed-in")).to_contain_text(config["nic"])
    assert panel.locator(".ovhub-status-success").count() == 1
    secrets = sandbox_secrets(sandbox) + [pending.consumer_key]
    assert_no_secret(page_texts(page), secrets, "the notebook page")
    assert not log.blocked, f"requests to other hosts were blocked: {log.blocked}"
