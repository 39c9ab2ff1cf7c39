"""``ovhub hubic-token`` against the sandbox, run as a separate process like a user would."""

from __future__ import annotations

import configparser
import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ovhub_jupyter.cli import hubic_token
from ovhub_jupyter.core import hubic
from tests.core.hubic_helpers import FAST_RETRY, accept_consent, browser_get, free_port, register_app

# Upper bound on any wait for the child process, so a broken run fails instead of hanging.
CHILD_TIMEOUT = 60.0

# Runs the command in a new session whose controlling terminal is the pseudo-terminal on
# standard input, so that getpass reads the password from it without echo.
CHILD_WITH_TERMINAL = """
import os, sys
os.close(os.open(os.ttyname(0), os.O_RDWR))
from ovhub_jupyter.cli import main
sys.exit(main(sys.argv[1:]))
"""

CHILD = "import sys\nfrom ovhub_jupyter.cli import main\nsys.exit(main(sys.argv[1:]))\n"


@pytest.fixture
def child_environment(tmp_path):
    environment = {name: value for name, value in os.environ.items() if not name.startswith("HUBIC_")}
    environment["OVHUB_CONFIG"] = str(tmp_path / "ovhub.conf")
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


@pytest.fixture
def app(sandbox):
    return register_app(sandbox)


def client_arguments(sandbox, app) -> list[str]:
    return [
        "hubic-token",
        "--sandbox",
        sandbox.url,
        "--client-id",
        app.client_id,
        "--client-secret",
        app.client_secret,
        "--redirect-uri",
        app.redirect_uri,
    ]


def configured_refresh_token(output: str) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(output.split("# or, in the environment")[0])
    return parser["hubic"]["refresh_token"]


def assert_refresh_token_works(app, refresh_token: str, email: str) -> None:
    client = hubic.HubicClient(app, refresh_token, retry=FAST_RETRY)
    try:
        assert client.account()["email"] == email
    finally:
        client.close()


# -- --login with a pseudo-terminal ---------------------------------------------------------


def run_with_terminal(arguments: list[str], environment: dict[str, str], password: str) -> tuple[int, str, str]:
    """Run the command with a terminal, type ``password`` at its prompt; return status, terminal text, stdout."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD_WITH_TERMINAL, *arguments],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        env=environment,
        start_new_session=True,
    )
    os.close(slave)
    terminal = b""
    try:
        terminal += read_terminal_until(master, b"password for", process)
        os.write(master, password.encode() + b"\n")
        stdout, _ = process.communicate(timeout=CHILD_TIMEOUT)
        terminal += read_terminal_until(master, None, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return process.returncode, terminal.decode("utf-8", "replace"), stdout.decode("utf-8")


def read_terminal_until(master: int, marker: bytes | None, process: subprocess.Popen) -> bytes:
    """Read the terminal until ``marker`` shows, or until it closes when ``marker`` is None."""
    received = b""
    deadline = time.monotonic() + CHILD_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if not ready:
            if marker is None and process.poll() is not None:
                return received
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            if marker is not None:
                raise AssertionError(f"the terminal closed before {marker!r}: {received!r}")
            return received
        received += chunk
        if marker is not None and marker in received:
            return received
    raise AssertionError(f"timed out waiting for {marker!r} on the terminal: {received!r}")


def test_login_prints_working_configuration(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    arguments = [*client_arguments(sandbox, app), "--login", config["email"]]

    status, terminal, stdout = run_with_terminal(arguments, child_environment, config["password"])

    assert status == 0, terminal
    assert config["password"] not in terminal
    assert config["password"] not in stdout
    assert f"Signed in to hubiC as {config['email']}" in terminal
    assert "[hubic]" in stdout
    assert f"client_secret = {app.client_secret}" in stdout
    assert f"api_url = {app.api_url}" in stdout
    refresh_token = configured_refresh_token(stdout)
    assert f"export HUBIC_REFRESH_TOKEN={refresh_token}" in stdout
    assert refresh_token not in terminal
    assert_refresh_token_works(app, refresh_token, config["email"])


def test_login_wrong_password_fails(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    password = "wrong-password-4242"
    arguments = [*client_arguments(sandbox, app), "--login", config["email"]]

    status, terminal, stdout = run_with_terminal(arguments, child_environment, password)

    last_line = terminal.strip().splitlines()[-1]
    assert status == 1
    assert last_line.startswith("ovhub hubic-token: ")
    assert "Authentication failed" in last_line
    assert password not in terminal
    assert stdout == ""


# -- --paste and the loopback callback ---------------------------------------------------------


def start_child(arguments: list[str], environment: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )


def read_authorize_url(process: subprocess.Popen) -> tuple[str, list[str]]:
    """Read standard error until the indented authorize URL; return it and the lines read."""
    lines = []
    while True:
        line = process.stderr.readline()
        if not line:
            process.kill()
            raise AssertionError("the command ended before printing the authorize URL: " + "".join(lines))
        lines.append(line)
        if line.startswith("    http"):
            return line.strip(), lines


def finish(process: subprocess.Popen, stdin_text: str | None = None) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(stdin_text, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, stdout, stderr


def test_paste_reads_redirected_url(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    process = start_child([*client_arguments(sandbox, app), "--paste"], child_environment)

    url, _ = read_authorize_url(process)
    consent = accept_consent(url, config["email"], config["password"])
    status, stdout, stderr = finish(process, consent.headers["Location"] + "\n")

    assert status == 0, stderr
    assert_refresh_token_works(app, configured_refresh_token(stdout), config["email"])


def test_paste_with_wrong_state_fails(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    process = start_child([*client_arguments(sandbox, app), "--paste"], child_environment)

    read_authorize_url(process)
    other = hubic.start_authorization(app)
    consent = accept_consent(other.url, config["email"], config["password"])
    status, stdout, stderr = finish(process, consent.headers["Location"] + "\n")

    assert status == 1
    assert "state does not match" in stderr
    assert stdout == ""


def test_paste_with_save_writes_private_file(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    arguments = [*client_arguments(sandbox, app), "--paste", "--save", "--account", "hubic-cli"]
    process = start_child(arguments, child_environment)

    url, _ = read_authorize_url(process)
    consent = accept_consent(url, config["email"], config["password"])
    status, stdout, stderr = finish(process, consent.headers["Location"] + "\n")

    path = Path(child_environment["OVHUB_CONFIG"])
    saved = configparser.ConfigParser(interpolation=None)
    saved.read(path)
    assert status == 0, stderr
    assert stdout == ""
    assert str(path) in stderr
    assert path.stat().st_mode & 0o777 == 0o600
    assert saved["hubic-cli"]["kind"] == "hubic"
    assert saved["hubic-cli"]["token_url"] == app.token_url
    assert saved["hubic-cli"]["refresh_token"] not in stderr
    assert_refresh_token_works(app, saved["hubic-cli"]["refresh_token"], config["email"])


def test_callback_receives_browser_redirect(sandbox, app, child_environment):
    config = sandbox.config["hubic"]
    process = start_child([*client_arguments(sandbox, app), "--no-browser"], child_environment)

    url, _ = read_authorize_url(process)
    consent = accept_consent(url, config["email"], config["password"])
    landing = browser_get(consent.headers["Location"])
    status, stdout, stderr = finish(process)

    assert landing.status_code == 200
    assert "sign-in complete" in landing.text
    assert status == 0, stderr
    assert_refresh_token_works(app, configured_refresh_token(stdout), config["email"])


# -- errors, in process ------------------------------------------------------------------------


@pytest.fixture
def clean_environment(tmp_path, monkeypatch):
    for name in hubic.ENVIRONMENT_VARIABLES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "ovhub.conf"))


def test_missing_client_id_fails(clean_environment, capsys):
    status = hubic_token.main(["--paste", "--client-secret", "s3cret-value-0123"])

    stderr = capsys.readouterr().err
    assert status == 1
    assert stderr.count("\n") == 1
    assert "missing hubiC client id" in stderr
    assert "--client-id" in stderr


def test_taken_port_fails_with_fix(clean_environment, capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        status = hubic_token.main(
            [
                "--no-browser",
                "--client-id",
                "api_hubic_test",
                "--client-secret",
                "s3cret-value-0123",
                "--redirect-uri",
                f"http://localhost:{port}/",
                "--auth-url",
                f"http://127.0.0.1:{free_port()}/oauth/auth/",
            ]
        )

    stderr = capsys.readouterr().err
    assert status == 1
    assert f"port {port}" in stderr
    assert "register another redirect URI" in stderr
    assert "s3cret-value-0123" not in stderr


def test_help_says_output_has_secrets(capsys):
    with pytest.raises(SystemExit) as exited:
        hubic_token.main(["--help"])

    help_text = " ".join(capsys.readouterr().out.split())
    assert exited.value.code == 0
    assert "contains the client secret and the refresh token" in help_text
    assert re.search(r"--save\b", help_text)
