"""%load_ext, %unload_ext and %ovhub in a real IPython shell, with the sandbox on the other end."""

from __future__ import annotations

import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.magics.base import MagicError


def test_load_adds_magics_and_config(shell):
    line_magics = shell.magics_manager.magics["line"]

    assert "ovhub" in line_magics
    assert "OvhubMagics" in [type(c).__name__ for c in shell.configurables]


def test_unload_removes_everything_added(shell):
    shell.run_line_magic("unload_ext", "ovhub_jupyter")

    assert "ovhub" not in shell.magics_manager.magics["line"]
    assert "OvhubMagics" not in shell.magics_manager.registry
    assert "OvhubMagics" not in [type(c).__name__ for c in shell.configurables]
    shell.run_line_magic("load_ext", "ovhub_jupyter")


def test_sandbox_registers_accounts_with_hubic_default(shell, sandbox, capsys):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    accounts = shell.run_line_magic("ovhub", "accounts")

    assert list(accounts.columns) == ["name", "kind", "endpoint", "signed_in", "default", "source"]
    assert accounts["name"].tolist() == ["hubic", "ovh", "swift"]
    assert accounts.set_index("name").loc["hubic", "default"]
    assert accounts.set_index("name").loc["hubic", "signed_in"]
    assert f"Sandbox running at {sandbox.url}" in capsys.readouterr().out


def test_accounts_table_shows_no_secret(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    text = shell.run_line_magic("ovhub", "accounts").to_string()

    config = sandbox.config
    for secret in (
        config["hubic"]["client_secret"],
        config["hubic"]["refresh_token"],
        config["ovh"]["application_secret"],
        config["ovh"]["consumer_key"],
        config["swift"]["key"],
    ):
        assert secret not in text


def test_use_sets_default_account(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    shell.run_line_magic("ovhub", "use swift")

    assert REGISTRY.default == "swift"


def test_use_unknown_account_is_one_line_error(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovhub", "use nowhere")

    rendered = raised.value._render_traceback_()
    assert len(rendered) == 1
    assert "no account named 'nowhere'" in rendered[0]
    assert "hubic" in rendered[0]


def test_short_errors_off_raises_original(shell):
    shell.run_line_magic("config", "OvhubMagics.short_errors = False")
    try:
        with pytest.raises(KeyError):
            shell.run_line_magic("ovhub", "use nowhere")
    finally:
        shell.run_line_magic("config", "OvhubMagics.short_errors = True")


def test_unknown_subcommand_is_usage_error(shell):
    with pytest.raises(MagicError, match="invalid choice"):
        shell.run_line_magic("ovhub", "bogus")


def test_out_stores_variable(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    returned = shell.run_line_magic("ovhub", "accounts --out table")

    assert returned is None
    assert shell.user_ns["table"]["name"].tolist() == ["hubic", "ovh", "swift"]


def test_help_prints_examples(shell, capsys):
    shell.run_line_magic("ovhub", "--help")

    assert "%ovhub use swift" in capsys.readouterr().out


def test_sandbox_in_process_starts_and_stop_removes_accounts(shell):
    shell.run_line_magic("ovhub", "sandbox")
    assert REGISTRY.default == "hubic"

    shell.run_line_magic("ovhub", "sandbox --stop")

    assert REGISTRY.names() == []
