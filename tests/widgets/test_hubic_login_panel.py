"""The %hubic_login panel against the sandbox: the loopback callback, the paste field, the errors."""

from __future__ import annotations

import configparser
import os
import socket
import stat
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.widgets.hubic_login import HubicLoginPanel
from tests.widgets.conftest import (
    accept_hubic_consent,
    assert_no_secret_in_state,
    assert_no_secret_logged,
    browser,
    click_open_button,
    free_port,
    port_is_free,
    register_hubic_client,
    sandbox_secrets,
    wait_for_free_port,
    wait_until,
)


@pytest.fixture
def hubic_client(sandbox):
    return register_hubic_client(sandbox)


@pytest.fixture
def panel(shell, sandbox, hubic_client, panels):
    """The panel as %hubic_login shows it after %ovhub sandbox, with the test's own application."""
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    line = (f"--client-id {hubic_client['client_id']} --client-secret {hubic_client['client_secret']} "
            f"--redirect-uri {hubic_client['redirect_uri']}")
    built = shell.run_line_magic("hubic_login", line)
    panels.append(built)
    return built


def consent_redirect(sandbox, panel) -> str:
    """Accept the consent page of the panel's authorize URL; return where hubiC redirects the browser."""
    config = sandbox.config["hubic"]
    response = accept_hubic_consent(panel.sign_in.url, config["email"], config["password"])
    assert response.status_code == 302, response.text[:200]
    return response.headers["Location"]


def flow_secrets(sandbox, hubic_client, panel) -> list[str]:
    secrets = sandbox_secrets(sandbox) + [hubic_client["client_secret"]]
    if panel.client is not None:
        secrets += [panel.client.refresh_token, panel.client._access_token]
    return secrets


def test_authorize_url_ready_before_click(panel, sandbox, hubic_client):
    url = panel.sign_in.url
    query = parse_qs(urlsplit(url).query)

    assert url.startswith(sandbox.config["hubic"]["auth_url"])
    assert query["client_id"] == [hubic_client["client_id"]]
    assert query["redirect_uri"] == [hubic_client["redirect_uri"]]
    assert query["response_type"] == ["code"]
    assert query["state"][0]
    assert hubic_client["client_secret"] not in url
    assert not port_is_free(urlsplit(hubic_client["redirect_uri"]).port)


def test_sign_in_through_loopback_callback(panel, sandbox, hubic_client, debug_logs):
    click_open_button(panel.sign_in)
    assert "Waiting for the redirect" in panel.status.text

    location = consent_redirect(sandbox, panel)
    assert location.startswith(hubic_client["redirect_uri"])
    with browser() as session:
        landing = session.get(location, timeout=30)
    wait_until(lambda: panel.status.kind != "info", "the panel to finish the sign-in")

    assert landing.status_code == 200
    assert "You can close this tab" in landing.text
    assert panel.status.kind == "success", panel.status.text
    email = sandbox.config["hubic"]["email"]
    assert panel.status.text.startswith(f"Signed in to hubiC as {email}")
    assert email in panel.account_view.value
    assert "Demo User" in panel.account_view.value
    assert " used of " in panel.account_view.value
    assert panel.usage["quota"] > 0
    assert not panel.save.disabled
    account = REGISTRY.get("hubic")
    assert account.client is panel.client
    assert account.source == "session"
    assert account.endpoint == sandbox.config["hubic"]["api_url"]
    wait_for_free_port(urlsplit(hubic_client["redirect_uri"]).port)
    assert_no_secret_in_state(panel, flow_secrets(sandbox, hubic_client, panel) + [location])
    assert_no_secret_logged(debug_logs.records, flow_secrets(sandbox, hubic_client, panel))


def test_registered_account_reaches_swift(panel, sandbox):
    click_open_button(panel.sign_in)
    with browser() as session:
        session.get(consent_redirect(sandbox, panel), timeout=30)
    wait_until(lambda: panel.status.kind != "info", "the panel to finish the sign-in")

    containers = REGISTRY.get("hubic").storage().list_containers()

    assert "default" in [container.name for container in containers]


def test_typed_secret_cleared_after_exchange(shell, sandbox, hubic_client, panels):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    panel = shell.run_line_magic(
        "hubic_login", f"--client-id {hubic_client['client_id']} --redirect-uri {hubic_client['redirect_uri']}"
    )
    panels.append(panel)
    assert panel.sign_in.url == ""
    panel.client_secret.value = hubic_client["client_secret"]

    location = consent_redirect(sandbox, panel)
    panel.paste.value = location
    panel.finish.click()

    assert panel.status.kind == "success", panel.status.text
    assert panel.client_secret.value == ""
    assert panel.client.app.client_secret == hubic_client["client_secret"]
    assert_no_secret_in_state(panel, flow_secrets(sandbox, hubic_client, panel) + [location])


def test_pasted_url_signs_in(panel, sandbox, hubic_client):
    location = consent_redirect(sandbox, panel)

    panel.paste.value = location
    panel.finish.click()

    assert panel.status.kind == "success", panel.status.text
    assert panel.paste.value == ""
    assert REGISTRY.get("hubic").client is panel.client
    wait_for_free_port(urlsplit(hubic_client["redirect_uri"]).port)
    assert_no_secret_in_state(panel, flow_secrets(sandbox, hubic_client, panel) + [location])


def test_pasted_bare_code_signs_in(panel, sandbox):
    code = parse_qs(urlsplit(consent_redirect(sandbox, panel)).query)["code"][0]

    panel.paste.value = code
    panel.finish.click()

    assert panel.status.kind == "success", panel.status.text
    assert panel.paste.value == ""


def test_pasted_url_with_wrong_state_rejected(panel, sandbox):
    location = consent_redirect(sandbox, panel)
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "another-sign-in"
    forged = urlunsplit(parts._replace(query=urlencode(query)))

    panel.paste.value = forged
    panel.finish.click()

    assert panel.status.kind == "error"
    assert "state does not match" in panel.status.text
    assert panel.client is None
    assert panel.paste.value == ""
    assert "\n" not in panel.status.text


def test_expired_code_reported(panel, sandbox):
    location = consent_redirect(sandbox, panel)
    # Codes last hubic_code_ttl (600 s) on the sandbox's clock.
    sandbox.shift_clock(660)

    panel.paste.value = location
    panel.finish.click()

    assert panel.status.kind == "error"
    assert "expired code" in panel.status.text
    assert panel.client is None
    assert "hubic" not in REGISTRY.names() or REGISTRY.get("hubic").source == "sandbox"


def test_callback_port_taken_reported(shell, sandbox, panels):
    port = free_port()
    hubic_client = register_hubic_client(sandbox, port)
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", port))
    blocker.listen(1)
    try:
        panel = HubicLoginPanel({**hubic_client, **{k: sandbox.config["hubic"][k] for k in ("auth_url", "token_url", "api_url")}})
        panels.append(panel)

        assert panel.status.kind == "error"
        assert f"port {port}" in panel.status.text
        assert "already in use" in panel.status.text
        assert "paste" in panel.status.text
        # The paste field still finishes the sign-in.
        assert panel.sign_in.url
        panel.paste.value = consent_redirect(sandbox, panel)
        panel.finish.click()
        assert panel.status.kind == "success", panel.status.text
    finally:
        blocker.close()


def test_rerun_takes_over_callback_port(shell, sandbox, hubic_client, panels):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    line = (f"--client-id {hubic_client['client_id']} --client-secret {hubic_client['client_secret']} "
            f"--redirect-uri {hubic_client['redirect_uri']}")
    first = shell.run_line_magic("hubic_login", line)
    panels.append(first)

    second = shell.run_line_magic("hubic_login", line)
    panels.append(second)

    assert second.status.kind == "info", second.status.text
    assert "newer sign-in panel" in first.status.text
    click_open_button(second.sign_in)
    with browser() as session:
        session.get(consent_redirect(sandbox, second), timeout=30)
    wait_until(lambda: second.status.kind != "info", "the second panel to finish the sign-in")
    assert second.status.kind == "success", second.status.text


def test_click_on_outdated_url_reported(panel):
    old_url = panel.sign_in.url
    panel.scope.checkboxes[("links", "d")].value = False

    click_open_button(panel.sign_in, old_url)

    assert panel.sign_in.url != old_url
    assert panel.status.kind == "error"
    assert "press Sign in again" in panel.status.text


def test_scope_follows_checkboxes(panel):
    for (perimeter, letter), box in panel.scope.checkboxes.items():
        if not box.disabled and (perimeter, letter) != ("credentials", "r"):
            box.value = False

    scope = parse_qs(urlsplit(panel.sign_in.url).query)["scope"][0]

    assert scope == "account.r,credentials.r"


def test_missing_secret_disables_sign_in(shell, sandbox, panels):
    panel = HubicLoginPanel({"client_id": "some-client", "auth_url": sandbox.config["hubic"]["auth_url"]})
    panels.append(panel)

    assert panel.sign_in.url == ""
    assert "client secret is empty" in panel.status.text


def test_callback_timeout_frees_port(shell, sandbox, hubic_client, panels):
    settings = {**hubic_client, **{k: sandbox.config["hubic"][k] for k in ("auth_url", "token_url", "api_url")}}
    panel = HubicLoginPanel(settings, callback_timeout=0.2)
    panels.append(panel)

    wait_until(lambda: "Stopped waiting" in panel.status.text, "the callback server to time out")

    wait_for_free_port(urlsplit(hubic_client["redirect_uri"]).port)
    click_open_button(panel.sign_in)
    assert not port_is_free(urlsplit(hubic_client["redirect_uri"]).port)


def test_save_writes_ovhub_conf_private(panel, sandbox, isolated_config):
    panel.paste.value = consent_redirect(sandbox, panel)
    panel.finish.click()

    panel.save.click()

    path = isolated_config / "ovhub.conf"
    assert panel.status.kind == "success", panel.status.text
    assert str(path) in panel.status.text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    assert parser["hubic"]["kind"] == "hubic"
    assert parser["hubic"]["refresh_token"] == panel.client.refresh_token
    assert parser["hubic"]["token_url"] == sandbox.config["hubic"]["token_url"]
    assert panel.client.refresh_token not in panel.status.text


def test_remote_redirect_uri_needs_paste(shell, panels):
    panel = HubicLoginPanel({"client_id": "some-client", "client_secret": "some-secret-value",
                             "redirect_uri": "http://notebooks.example.org/callback"})
    panels.append(panel)

    assert panel.sign_in.url
    assert "does not point to this machine" in panel.status.text
    assert "paste the URL" in panel.status.text
