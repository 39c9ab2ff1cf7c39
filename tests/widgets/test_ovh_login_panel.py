"""The %ovh_login panel against the sandbox: request, validation in a "browser", refusal, cancel, save."""

from __future__ import annotations

import configparser
import os
import stat

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.core.ovh import OvhClient
from ovhub_jupyter.widgets.ovh_login import OvhLoginPanel, OvhSettings
from ovhub_jupyter.widgets.panel import AccessRulesEditor
from tests.widgets.conftest import (
    assert_no_secret_in_state,
    assert_no_secret_logged,
    fill_validation_page,
    sandbox_secrets,
    totp_code,
    wait_until,
)


@pytest.fixture
def panel(shell, sandbox, panels):
    """The panel as %ovh_login shows it after %ovhub sandbox, polling every 0.1 s."""
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    shell.run_line_magic("config", "LoginMagics.validation_poll_interval = 0.1")
    built = shell.run_line_magic("ovh_login", "--rules read-only")
    panels.append(built)
    return built


def requested_key(panel) -> str:
    """Return the consumer key the panel asked for (kept in the kernel, never in a widget)."""
    pending = panel.confirmation._pending
    assert pending is not None, panel.status.text
    return pending.consumer_key


def test_prefilled_from_sandbox(panel, sandbox):
    config = sandbox.config["ovh"]

    assert panel.endpoint.value == config["endpoint"]
    assert panel.application_key.value == config["application_key"]
    assert panel.application_secret.value == ""
    assert "set in the sandbox" in panel.application_secret.placeholder
    assert panel.rules.rules() == [{"method": "GET", "path": "/*"}]


def test_validation_with_two_factor_signs_in(panel, sandbox, debug_logs):
    sandbox.update_settings(ovh_two_factor=True)
    config = sandbox.config["ovh"]

    panel.request.click()
    validation_url = panel.confirmation.open_validation.url
    assert validation_url.startswith(sandbox.url + "/auth/?credentialToken=")
    assert validation_url in panel.confirmation.link.value
    assert "Waiting for the validation" in panel.status.text
    page = fill_validation_page(validation_url, config["nic"], config["password"], totp=totp_code(config["totp_secret"]))
    wait_until(lambda: panel.status.kind != "info", "the panel to see the validation")

    assert page.status_code == 200
    assert panel.status.kind == "success", panel.status.text
    assert panel.status.text.startswith(f"Signed in as {config['nic']}")
    assert config["nic"] in panel.confirmation.signed_in.value
    account = REGISTRY.get("ovh")
    assert account.source == "session"
    assert account.client.consumer_key == requested_key(panel)
    assert account.client.get("/auth/currentCredential")["status"] == "validated"
    assert not panel.confirmation.save.disabled
    secrets = sandbox_secrets(sandbox) + [requested_key(panel)]
    assert_no_secret_in_state(panel, secrets)
    assert_no_secret_logged(debug_logs.records, secrets)


def test_typed_secret_cleared_at_request(shell, sandbox, panels):
    config = sandbox.config["ovh"]
    settings = OvhSettings(endpoint=config["endpoint"], application_key=config["application_key"])
    panel = OvhLoginPanel(settings, poll_interval=0.1)
    panels.append(panel)
    panel.application_secret.value = config["application_secret"]

    panel.request.click()

    assert panel.application_secret.value == ""
    assert "kept in the kernel" in panel.application_secret.placeholder
    fill_validation_page(panel.confirmation.open_validation.url, config["email"], config["password"])
    wait_until(lambda: panel.status.kind != "info", "the panel to see the validation")
    assert panel.status.kind == "success", panel.status.text
    assert_no_secret_in_state(panel, sandbox_secrets(sandbox) + [requested_key(panel)])


def test_refused_request_reported(panel, sandbox):
    config = sandbox.config["ovh"]

    panel.request.click()
    fill_validation_page(panel.confirmation.open_validation.url, config["nic"], config["password"], action="refuse")
    wait_until(lambda: panel.status.kind != "info", "the panel to see the refusal")

    assert panel.status.kind == "error"
    assert "refused" in panel.status.text
    assert panel.confirmation.save.disabled
    assert REGISTRY.get("ovh").source == "sandbox"


def test_cancel_stops_waiting(panel):
    panel.request.click()

    panel.confirmation.cancel_button.click()

    assert panel.wait_idle(), "the validation wait is still running"
    assert "Stopped waiting" in panel.status.text
    assert panel.confirmation.cancel_button.disabled


def test_wait_timeout_reported(shell, sandbox, panels):
    config = sandbox.config["ovh"]
    settings = OvhSettings(endpoint=config["endpoint"], application_key=config["application_key"],
                           application_secret=config["application_secret"])
    panel = OvhLoginPanel(settings, poll_interval=0.1, timeout=0.3)
    panels.append(panel)

    panel.request.click()

    assert panel.wait_idle()
    assert panel.status.kind == "error"
    assert "was not validated within" in panel.status.text


def test_save_writes_ovh_conf_private(panel, sandbox, isolated_config):
    config = sandbox.config["ovh"]
    panel.request.click()
    fill_validation_page(panel.confirmation.open_validation.url, config["nic"], config["password"])
    wait_until(lambda: panel.status.kind != "info", "the panel to see the validation")

    panel.confirmation.save.click()

    path = isolated_config / ".ovh.conf"
    assert panel.status.kind == "success", panel.status.text
    assert str(path) in panel.status.text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    section = parser[config["endpoint"]]
    assert parser["default"]["endpoint"] == config["endpoint"]
    assert section["application_key"] == config["application_key"]
    assert section["application_secret"] == config["application_secret"]
    assert section["consumer_key"] == requested_key(panel)
    saved = OvhClient(config["endpoint"], section["application_key"], section["application_secret"], section["consumer_key"])
    assert saved.whoami()["nichandle"] == config["nic"]


def test_unknown_application_key_reported(shell, sandbox, panels):
    config = sandbox.config["ovh"]
    panel = OvhLoginPanel(OvhSettings(endpoint=config["endpoint"]), poll_interval=0.1)
    panels.append(panel)
    panel.application_key.value = "A" * 16
    panel.application_secret.value = "B" * 32

    panel.request.click()

    assert panel.status.kind == "error"
    assert "INVALID_KEY" in panel.status.text
    assert panel.confirmation.open_validation.url == ""


def test_new_application_key_needs_its_secret(panel):
    panel.application_key.value = "C" * 16

    panel.request.click()

    assert panel.status.kind == "error"
    assert f"the application secret of {'C' * 16} is missing" in panel.status.text


def test_allowed_ips_and_redirection_sent(panel, sandbox):
    config = sandbox.config["ovh"]
    panel.allowed_ips.value = "127.0.0.1/32, 192.0.2.0/24"
    panel.redirection.value = "http://127.0.0.1:9/after"

    panel.request.click()
    page = fill_validation_page(panel.confirmation.open_validation.url, config["nic"], config["password"])
    wait_until(lambda: panel.status.kind != "info", "the panel to see the validation")

    assert page.status_code == 302
    assert page.headers["Location"] == "http://127.0.0.1:9/after"
    credential = REGISTRY.get("ovh").client.get("/auth/currentCredential")
    assert sorted(credential["allowedIPs"]) == ["127.0.0.1/32", "192.0.2.0/24"]


def test_rules_editor_presets_and_rows():
    editor = AccessRulesEditor("read-only")

    editor.preset_buttons["full"].click()
    full = editor.rules()
    editor.add_row("POST", "/cloud/project/*/storage")
    first_row = editor.rows_box.children[0]
    first_row.children[2].click()  # its remove button
    edited = editor.rules()
    editor.preset_buttons["object-storage"].click()
    storage = editor.rules()

    assert full == [{"method": m, "path": "/*"} for m in ("GET", "POST", "PUT", "DELETE")]
    assert edited[0] == {"method": "POST", "path": "/*"}
    assert edited[-1] == {"method": "POST", "path": "/cloud/project/*/storage"}
    assert len(edited) == 4
    assert {"method": "POST", "path": "/cloud/project/*/storage/access"} in storage
    editor.rows_box.children[0].children[1].value = "no-slash"
    with pytest.raises(errors.InvalidInputError):
        editor.rules()
