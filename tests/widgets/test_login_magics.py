"""The sign-in magics' options: %hubic_login without a panel, the help texts, bad options."""

from __future__ import annotations

import configparser
import os
import stat

import pytest

from ovhub_jupyter.core import hubic
from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.magics.base import MagicError
from ovhub_jupyter.widgets.hubic_login import HubicLoginPanel
from ovhub_jupyter.widgets.ovh_create_app import OvhCreateAppPanel
from ovhub_jupyter.widgets.ovh_login import OvhLoginPanel
from tests.widgets.conftest import free_port, register_hubic_client, sandbox_secrets


@pytest.fixture
def refresh_token(sandbox):
    """A fresh refresh token of a hubiC application registered for the test, and its settings."""
    client = register_hubic_client(sandbox)
    config = sandbox.config["hubic"]
    app = hubic.HubicApp(**client, auth_url=config["auth_url"], token_url=config["token_url"], api_url=config["api_url"])
    result = hubic.authorize_with_password(app, config["email"], config["password"])
    signed_in = hubic.HubicClient(app)
    signed_in.exchange_code(result)
    signed_in.close()
    return {**client, "refresh_token": signed_in.refresh_token}


def test_refresh_token_option_signs_in(shell, sandbox, refresh_token, capsys):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    capsys.readouterr()

    result = shell.run_line_magic(
        "hubic_login",
        f"--name work --client-id {refresh_token['client_id']} --client-secret {refresh_token['client_secret']} "
        f"--refresh-token {refresh_token['refresh_token']}",
    )

    output = capsys.readouterr().out
    assert result is None
    assert output == f"Signed in to hubiC as {sandbox.config['hubic']['email']}\n"
    account = REGISTRY.get("work")
    assert account.kind == "hubic"
    assert account.endpoint == sandbox.config["hubic"]["api_url"]
    assert account.client.refresh_token == refresh_token["refresh_token"]


def test_from_config_reads_environment(shell, sandbox, refresh_token, monkeypatch, capsys, isolated_config):
    config = sandbox.config["hubic"]
    monkeypatch.setenv("HUBIC_CLIENT_ID", refresh_token["client_id"])
    monkeypatch.setenv("HUBIC_CLIENT_SECRET", refresh_token["client_secret"])
    monkeypatch.setenv("HUBIC_REFRESH_TOKEN", refresh_token["refresh_token"])
    for key in ("auth_url", "token_url", "api_url"):
        monkeypatch.setenv(f"HUBIC_{key.upper()}", config[key])

    shell.run_line_magic("hubic_login", "--from-config --save")

    output = capsys.readouterr().out
    assert output == f"Signed in to hubiC as {config['email']}\n"
    assert REGISTRY.get("hubic").client.refresh_token == refresh_token["refresh_token"]
    path = isolated_config / "ovhub.conf"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    assert parser["hubic"]["refresh_token"] == refresh_token["refresh_token"]
    for secret in sandbox_secrets(sandbox) + [refresh_token["client_secret"], refresh_token["refresh_token"]]:
        assert secret not in output


def test_from_config_without_token_fails(shell, monkeypatch):
    monkeypatch.setenv("HUBIC_CLIENT_ID", "some-client")
    monkeypatch.setenv("HUBIC_CLIENT_SECRET", "some-secret-value")

    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("hubic_login", "--from-config")

    rendered = raised.value._render_traceback_()
    assert len(rendered) == 1
    assert "no refresh token" in rendered[0]
    assert "some-secret-value" not in rendered[0]


def test_bad_refresh_token_registers_nothing(shell, sandbox, refresh_token):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    with pytest.raises(MagicError) as raised:
        shell.run_line_magic(
            "hubic_login",
            f"--name broken --client-id {refresh_token['client_id']} "
            f"--client-secret {refresh_token['client_secret']} --refresh-token not-a-token",
        )

    assert "broken" not in REGISTRY.names()
    assert "not-a-token" not in raised.value.args[0]
    assert refresh_token["client_secret"] not in raised.value.args[0]


def test_hubic_help_warns_about_secrets(shell, capsys):
    shell.run_line_magic("hubic_login", "--help")

    output = capsys.readouterr().out
    assert "--refresh-token" in output
    assert "saved in the notebook" in output
    assert "--from-config" in output


def test_save_without_token_rejected(shell):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("hubic_login", "--save")

    assert "--save needs --refresh-token or --from-config" in raised.value.args[0]


def test_magics_return_panels(shell, sandbox, panels):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    # The sandbox's demo client redirects to a fixed port; the test listens on a free one.
    lines = {"hubic_login": f"--redirect-uri http://localhost:{free_port()}/", "ovh_login": "", "ovh_create_app": ""}
    built = [shell.run_line_magic(name, line) for name, line in lines.items()]
    panels.extend(built)

    assert [type(panel) for panel in built] == [HubicLoginPanel, OvhLoginPanel, OvhCreateAppPanel]
    assert [button.description for button in (built[0].sign_in, built[1].request, built[2].create)] == [
        "Sign in", "Request", "Create application"]
    for panel in built:
        assert "ovhub-panel" in panel.box._dom_classes
        assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()
        assert panel.status.kind != "error", panel.status.text


def test_config_lists_login_settings(shell, capsys):
    shell.run_line_magic("config", "LoginMagics")

    output = capsys.readouterr().out
    assert "callback_timeout" in output
    assert "validation_poll_interval" in output


def test_bad_rules_is_one_line_error(shell):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovh_login", "--rules GET:nothing")

    assert "invalid access rule path 'nothing'" in raised.value.args[0]


def test_negative_duration_rejected(shell):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovh_create_app", "--duration -5")

    assert "invalid --duration -5" in raised.value.args[0]
