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


def test_trailing_comment_ignored(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}  # the demo accounts")

    shell.run_line_magic("ovhub", "use swift   # plain Swift")

    assert REGISTRY.default == "swift"


def test_sandbox_url_without_scheme_rejected_before_request(shell, sandbox):
    host_and_port = sandbox.url.split("://", 1)[1]
    before = sandbox.request_count()

    with pytest.raises(MagicError, match="invalid sandbox URL"):
        shell.run_line_magic("ovhub", f"sandbox --url {host_and_port}")

    assert sandbox.request_count() == before


def test_sandbox_url_with_nothing_listening(shell):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovhub", f"sandbox --url http://127.0.0.1:{port}")

    message = raised.value.args[0]
    assert f"no sandbox answers at http://127.0.0.1:{port}" in message
    assert "python -m ovhub_jupyter.sandbox" in message
    assert "unexpected" not in message


def test_sandbox_url_of_another_server(shell, sandbox):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}/hubic")

    message = raised.value.args[0]
    assert "is not an ovhub_jupyter sandbox" in message
    assert "<" not in message


def test_stop_after_url_says_sandbox_keeps_running(shell, sandbox, capsys):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    shell.run_line_magic("ovhub", "sandbox --stop")

    assert "keeps running" in capsys.readouterr().out
    assert REGISTRY.names() == []


def test_handled_error_not_printed_by_logging(sandbox, tmp_path):
    # In a plain process, as in a kernel: no pytest handler catches the WARNING line.
    import subprocess
    import sys

    script = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from ovhub_jupyter.magics.base import MagicError\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'ovhub_jupyter')\n"
        f"shell.run_line_magic('ovhub', 'sandbox --url {sandbox.url}')\n"
        "try:\n"
        "    shell.run_line_magic('swift', 'ls no-such-container')\n"
        "except MagicError:\n"
        "    print('raised')\n"
    )
    environment = {"HOME": str(tmp_path), "OVHUB_CONFIG": str(tmp_path / "ovhub.conf"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=environment
    )

    assert "raised" in result.stdout, result.stderr
    assert "no-such-container" not in result.stderr
