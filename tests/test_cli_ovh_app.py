"""``ovhub ovh-app`` end to end: a real process, the password typed on a pseudo-terminal."""

from __future__ import annotations

import base64
import configparser
import fcntl
import hashlib
import hmac
import os
import secrets
import select
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from ovhub_jupyter.core.ovh import OvhClient

# Starts the command through the dispatcher, as the ``ovhub`` script does.
COMMAND = [sys.executable, "-c", "import sys; from ovhub_jupyter.cli import main; sys.exit(main())", "ovh-app"]

# Upper bound on one run, so a prompt the test does not answer fails instead of hanging.
RUN_TIMEOUT = 120.0


def totp_now(secret: str) -> str:
    """Return the current RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[start:start + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _make_controlling_terminal():
    # Runs in the child: a new session whose controlling terminal is the pty on stdin,
    # so getpass reads the password from /dev/tty as it does for a person.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Run:
    """Output of one finished run."""

    def __init__(self, returncode: int, stdout: str, stderr: str, terminal: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.terminal = terminal


def run_interactive(arguments, answers, home: Path) -> Run:
    """Run the command on a pseudo-terminal, typing each answer once its prompt appears.

    ``answers`` is a list of ``(prompt text, line to type)``; prompts are looked for in
    what the process wrote to the terminal and to standard error. A callable in place of
    the line is called with that text and types what it returns, unless None.
    """
    master, slave = os.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OVH_", "OVHUB_"))}
    environment.update(HOME=str(home), OVHUB_CONFIG=str(home / "ovhub.conf"))
    process = subprocess.Popen(
        COMMAND + arguments, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_make_controlling_terminal, env=environment, cwd=home, close_fds=True,
    )
    os.close(slave)
    outputs = {"terminal": b"", "stdout": b"", "stderr": b""}
    streams = {master: "terminal", process.stdout.fileno(): "stdout", process.stderr.fileno(): "stderr"}
    pending = list(answers)
    deadline = time.monotonic() + RUN_TIMEOUT
    try:
        while streams and time.monotonic() < deadline:
            ready, _, _ = select.select(list(streams), [], [], 0.5)
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    del streams[fd]
                    continue
                outputs[streams[fd]] += chunk
            seen = (outputs["terminal"] + outputs["stderr"]).decode("utf-8", "replace")
            if pending and pending[0][0] in seen:
                prompt, line = pending.pop(0)
                outputs["terminal"] = outputs["terminal"].replace(prompt.encode(), b"[answered]", 1)
                outputs["stderr"] = outputs["stderr"].replace(prompt.encode(), b"[answered]", 1)
                if callable(line):
                    line = line(seen)
                if line is not None:
                    os.write(master, line.encode() + b"\n")
            if process.poll() is not None and not ready:
                break
        returncode = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
        process.stdout.close()
        process.stderr.close()
    return Run(returncode, outputs["stdout"].decode(), outputs["stderr"].decode(), outputs["terminal"].decode("utf-8", "replace"))


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


def base_arguments(sandbox, name=None):
    config = sandbox.config["ovh"]
    return ["--appname", name or f"cli-{secrets.token_hex(4)}", "--appdesc", "made by the CLI test",
            "--endpoint", config["endpoint"], "--nic", config["nic"]]


def test_prints_working_ovh_conf(sandbox, home):
    config = sandbox.config["ovh"]

    result = run_interactive(base_arguments(sandbox) + ["--rules", "GET:/me", "--duration", "3600"],
                             [("Password for", config["password"])], home)

    assert result.returncode == 0, result.stderr
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(result.stdout)
    endpoint = parser.get("default", "endpoint")
    section = parser[endpoint]
    client = OvhClient(endpoint, section["application_key"], section["application_secret"], section["consumer_key"])
    assert client.whoami()["nichandle"] == config["nic"]
    assert f"Signed in as {config['nic']}" in result.stderr
    # getpass read the password from the terminal, not from a stdin fallback.
    assert "[answered]" in result.terminal
    assert "may be echoed" not in result.stderr
    assert config["password"] not in result.stdout + result.stderr + result.terminal


def test_save_writes_private_file(sandbox, home):
    config = sandbox.config["ovh"]

    result = run_interactive(base_arguments(sandbox) + ["--save"], [("Password for", config["password"])], home)

    saved = home / ".ovh.conf"
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(saved)
    endpoint = parser.get("default", "endpoint")
    assert len(parser.get(endpoint, "application_secret")) == 32
    assert parser.get(endpoint, "application_secret") not in result.stderr


def test_two_factor_code_is_asked_when_needed(sandbox, home):
    config = sandbox.config["ovh"]
    sandbox.update_settings(ovh_two_factor=True)
    save_to = home / "custom.conf"

    result = run_interactive(
        base_arguments(sandbox) + ["--save", str(save_to)],
        [("Password for", config["password"]), ("Two-factor code", totp_now(config["totp_secret"]))],
        home,
    )

    assert result.returncode == 0, result.stderr
    assert "[answered]" in result.stderr
    assert save_to.exists()


def test_no_validate_waits_for_browser_validation(sandbox, home):
    from ovhub_jupyter.core.ovh_keys import validate_consumer_key

    config = sandbox.config["ovh"]
    validated = []

    def validate_like_a_browser(seen):
        url = seen.split("accept:", 1)[1].split()[0]
        validated.append(validate_consumer_key(url, config["nic"], config["password"], 0))
        return None

    result = run_interactive(
        base_arguments(sandbox) + ["--no-validate", "--wait", "60"],
        [("Password for", config["password"]), ("Waiting up to", validate_like_a_browser)],
        home,
    )

    assert result.returncode == 0, result.stderr
    assert validated == ["validated"]
    assert "consumer_key=" in result.stdout


def test_no_validate_times_out(sandbox, home):
    config = sandbox.config["ovh"]

    result = run_interactive(base_arguments(sandbox) + ["--no-validate", "--wait", "1"],
                             [("Password for", config["password"])], home)

    assert result.returncode == 1
    assert "not validated" in result.stderr.strip().splitlines()[-1]
    assert result.stdout == ""


def test_wrong_password_is_one_line_error(sandbox, home):
    result = run_interactive(base_arguments(sandbox), [("Password for", "wrong-password")], home)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("ovhub ovh-app: ")
    assert "password" in lines[-1]
    assert "Traceback" not in result.stderr
    assert "wrong-password" not in result.stderr


def test_taken_name_is_reported(sandbox, home):
    config = sandbox.config["ovh"]
    name = f"taken-{secrets.token_hex(4)}"
    first = run_interactive(base_arguments(sandbox, name), [("Password for", config["password"])], home)

    second = run_interactive(base_arguments(sandbox, name), [("Password for", config["password"])], home)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 1
    assert "already exists" in second.stderr.strip().splitlines()[-1]


def test_invalid_rules_fail_before_any_prompt(sandbox, home):
    result = run_interactive(base_arguments(sandbox) + ["--rules", "PATCH:/*"], [], home)

    assert result.returncode == 1
    assert "PATCH" in result.stderr
    assert "Password" not in result.terminal


def test_help_says_secrets_are_printed(home):
    result = subprocess.run(COMMAND + ["--help"], capture_output=True, text=True, cwd=home, timeout=60)

    assert result.returncode == 0
    assert "secret" in result.stdout
    assert "--no-validate" in result.stdout
