"""The %ovh_create_app panel against the sandbox's createApp and validation pages."""

from __future__ import annotations

import uuid

import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.core.ovh import OvhClient
from tests.widgets.conftest import (
    assert_no_secret_in_state,
    assert_no_secret_logged,
    fill_validation_page,
    sandbox_secrets,
    totp_code,
    wait_until,
    wrong_totp_code,
)


def unique_name() -> str:
    return f"notebook-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_panel(shell, sandbox, panels):
    """Return a function that shows %ovh_create_app for the sandbox's demo account, with ``options``."""
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    shell.run_line_magic("config", "LoginMagics.validation_poll_interval = 0.1")
    config = sandbox.config["ovh"]

    def make(options: str = "", name: str | None = None):
        line = f"--name {name or unique_name()} --description 'A notebook' --nic {config['nic']} {options}"
        built = shell.run_line_magic("ovh_create_app", line)
        panels.append(built)
        return built

    return make


def created_secrets(panel) -> list[str]:
    """Return the new application's secret and consumer key, kept in the kernel."""
    secrets = []
    if panel._keys is not None:
        secrets.append(panel._keys.application_secret)
    if panel.confirmation._pending is not None:
        secrets.append(panel.confirmation._pending.consumer_key)
    return secrets


def press_create(panel, password: str) -> None:
    panel.password.value = password
    panel.create.click()


def test_create_and_validate_signs_in(make_panel, sandbox, debug_logs):
    config = sandbox.config["ovh"]
    panel = make_panel()

    press_create(panel, config["password"])
    assert panel.password.value == ""
    assert panel.wait_idle()

    assert panel.status.kind == "success", panel.status.text
    assert panel.status.text.startswith(f"Signed in as {config['nic']}")
    account = REGISTRY.get("ovh")
    assert account.source == "session"
    assert account.client.application_key == panel._keys.application_key
    assert account.client.whoami()["nichandle"] == config["nic"]
    assert not panel.confirmation.save.disabled
    secrets = sandbox_secrets(sandbox) + created_secrets(panel)
    assert len(secrets) == len(sandbox_secrets(sandbox)) + 2
    assert_no_secret_in_state(panel, secrets)
    assert_no_secret_logged(debug_logs.records, secrets)


def test_two_factor_code_asked_then_continues(make_panel, sandbox):
    sandbox.update_settings(ovh_two_factor=True)
    config = sandbox.config["ovh"]
    panel = make_panel("--rules object-storage,GET:/auth/currentCredential --duration 86400")

    press_create(panel, config["password"])
    wait_until(lambda: "two-factor code" in panel.status.text, "the panel to ask for the code")
    assert panel.totp_row.layout.display is None
    panel.totp.value = totp_code(config["totp_secret"])
    panel.continue_button.click()
    assert panel.wait_idle()

    assert panel.status.kind == "success", panel.status.text
    assert panel.totp.value == ""
    credential = REGISTRY.get("ovh").client.get("/auth/currentCredential")
    assert {"method": "POST", "path": "/cloud/project/*/storage/access"} in credential["rules"]
    assert credential["expiration"] is not None
    assert_no_secret_in_state(panel, sandbox_secrets(sandbox) + created_secrets(panel))


def test_taken_name_reported(make_panel, sandbox):
    config = sandbox.config["ovh"]
    name = unique_name()
    first = make_panel(name=name)
    press_create(first, config["password"])
    assert first.wait_idle()
    assert first.status.kind == "success", first.status.text

    second = make_panel(name=name)
    press_create(second, config["password"])
    assert second.wait_idle()

    assert second.status.kind == "error"
    assert f"An application named {name!r} already exists" in second.status.text
    assert "choose another name" in second.status.text


def test_wrong_password_reported(make_panel, sandbox):
    panel = make_panel()

    press_create(panel, "not-the-password")
    assert panel.wait_idle()

    assert panel.status.kind == "error"
    assert "account id or password was rejected" in panel.status.text
    assert "not-the-password" not in panel.status.text
    assert panel._keys is None
    assert_no_secret_in_state(panel, ["not-the-password"])


def test_wrong_totp_then_retry_resumes(make_panel, sandbox):
    sandbox.update_settings(ovh_two_factor=True)
    config = sandbox.config["ovh"]
    panel = make_panel()

    press_create(panel, config["password"])
    wait_until(lambda: "two-factor code" in panel.status.text, "the panel to ask for the code")
    panel.totp.value = wrong_totp_code(config["totp_secret"])
    panel.continue_button.click()
    assert panel.wait_idle()
    assert panel.status.kind == "error"
    assert "two-factor code was rejected" in panel.status.text
    assert "press Create application to validate again" in panel.status.text
    created = panel._keys.application_key

    # The code typed beforehand is used without asking, and the application is not created twice.
    panel.totp.value = totp_code(config["totp_secret"])
    press_create(panel, config["password"])
    assert panel.wait_idle()

    assert panel.status.kind == "success", panel.status.text
    assert REGISTRY.get("ovh").client.application_key == created
    assert_no_secret_in_state(panel, sandbox_secrets(sandbox) + created_secrets(panel))


def test_validation_url_handed_over(make_panel, sandbox):
    config = sandbox.config["ovh"]
    panel = make_panel("--hand-over")

    press_create(panel, config["password"])
    wait_until(lambda: panel.confirmation.open_validation.url != "", "the validation URL")
    assert "Waiting for the validation" in panel.status.text
    fill_validation_page(panel.confirmation.open_validation.url, config["email"], config["password"])
    wait_until(lambda: panel.status.kind != "info", "the panel to see the validation")

    assert panel.status.kind == "success", panel.status.text
    assert REGISTRY.get("ovh").client.application_key == panel._keys.application_key
    assert_no_secret_in_state(panel, sandbox_secrets(sandbox) + created_secrets(panel))


def test_created_keys_work_after_save(make_panel, sandbox, isolated_config):
    config = sandbox.config["ovh"]
    panel = make_panel()
    press_create(panel, config["password"])
    assert panel.wait_idle()

    panel.confirmation.save.click()

    assert panel.status.kind == "success", panel.status.text
    from ovhub_jupyter.core.config import load_ovh_config

    saved = load_ovh_config(files=[isolated_config / ".ovh.conf"])
    assert saved.application_key == panel._keys.application_key
    client = OvhClient(saved.endpoint, saved.application_key, saved.application_secret, saved.consumer_key)
    assert client.whoami()["nichandle"] == config["nic"]


def test_manual_link_follows_endpoint(make_panel, sandbox):
    panel = make_panel()

    sandbox_link = panel.manual_link.value
    panel.endpoint.dropdown.value = "ovh-ca"

    assert f'href="{sandbox.url}/createApp/"' in sandbox_link
    assert 'href="https://ca.api.ovh.com/createApp/"' in panel.manual_link.value


def test_missing_password_sends_nothing(make_panel, sandbox):
    panel = make_panel()
    count = sandbox.request_count()

    panel.create.click()

    assert panel.status.kind == "error"
    assert "the password is empty" in panel.status.text
    assert sandbox.request_count() == count
