"""A JupyterLab server for the browser tests, and the notebook and page helpers they use.

The server runs as a child process on 127.0.0.1 with a random token, its own Jupyter,
IPython and home folders, and every feature that would reach the internet turned off
(news, update checks, the PyPI extension manager). Its kernels can resolve only
loopback names: an IPython startup file in its own IPYTHONDIR refuses any other host.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
import requests

# Debian's chromium package; the tests never download a browser of their own.
CHROMIUM = Path("/usr/bin/chromium")

# Seconds JupyterLab may take to respond to /api/status after it starts; generous,
# because a loaded CI machine can take tens of seconds.
SERVER_START_TIMEOUT = 120.0

# Seconds the server may take to stop after POST /api/shutdown, before it is terminated.
SERVER_STOP_TIMEOUT = 30.0

# Environment variables the server and its kernels must not inherit: account settings
# that would override the sandbox's, Jupyter and IPython folders (the server gets its
# own), and proxies that would send loopback traffic away.
INHERITED_PREFIXES_DROPPED = ("OVH_", "HUBIC_", "OVHUB_", "JUPYTER", "IPYTHON")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

# Kept in the kernel's IPython startup folder. getaddrinfo is how Python's sockets,
# and so requests, resolve a host name, so any host but loopback fails before a
# connection is attempted.
LOOPBACK_GUARD = '''\
"""Written by tests/browser: this kernel may reach loopback hosts only."""
import socket as _socket

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_resolve = _socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in _LOOPBACK_HOSTS:
        raise _socket.gaierror(_socket.EAI_NONAME, f"the browser test's kernel reaches loopback only, not {name!r}")
    return _resolve(host, *args, **kwargs)


_socket.getaddrinfo = _loopback_only_getaddrinfo
'''


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_session() -> requests.Session:
    """Return a requests session that ignores proxy variables, for loopback servers."""
    session = requests.Session()
    session.trust_env = False
    return session


class JupyterLab:
    """A JupyterLab server started by the test, serving ``root_dir``, with its kernels."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.root_dir = base_dir / "notebooks"
        self.home = base_dir / "home"
        self.log_path = base_dir / "jupyterlab.log"
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: Any = None
        self._http = local_session()
        self._http.headers["Authorization"] = f"token {self.token}"

    # -- lifecycle ----------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """Return the server's environment: this one, isolated from the user's settings and proxies."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(INHERITED_PREFIXES_DROPPED) and name.lower() not in PROXY_VARIABLES
        }
        folders = {
            "HOME": self.home,
            "JUPYTER_CONFIG_DIR": self.base_dir / "jupyter-config",
            "JUPYTER_DATA_DIR": self.base_dir / "jupyter-data",
            "JUPYTER_RUNTIME_DIR": self.base_dir / "jupyter-runtime",
            "JUPYTERLAB_SETTINGS_DIR": self.base_dir / "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.base_dir / "lab-workspaces",
            "IPYTHONDIR": self.base_dir / "ipython",
        }
        for name, folder in folders.items():
            folder.mkdir(parents=True, exist_ok=True)
            env[name] = str(folder)
        env["OVHUB_CONFIG"] = str(self.home / "ovhub.conf")
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.terminals_enabled=False",
            # Nothing that fetches from the internet: news, update checks, PyPI searches.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # window.jupyterapp, through which the tests run cells and find notebooks.
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        return command

    @staticmethod
    def write_lab_settings(settings_dir: Path) -> None:
        """Turn off the news and update notices: they ask in a toast that can cover a panel's button."""
        notification = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")

    def start(self) -> JupyterLab:
        """Start the server and wait until its REST API responds. Raise with its log when it does not."""
        self.root_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        startup = Path(env["IPYTHONDIR"]) / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-loopback-only.py").write_text(LOOPBACK_GUARD, encoding="utf-8")
        self.write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))

        self._log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(), cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self._http.get(f"{self.url}/api/status", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not respond within {SERVER_START_TIMEOUT:g} s:\n{self.log_tail()}")

    def shutdown_kernels(self) -> None:
        """Shut down every kernel of the server through its REST API."""
        response = self._http.get(f"{self.url}/api/kernels", timeout=30)
        response.raise_for_status()
        for kernel in response.json():
            self._http.delete(f"{self.url}/api/kernels/{kernel['id']}", timeout=60)

    def stop(self) -> None:
        """Stop the kernels and the server through the REST API, or by signals to its PID when it hangs."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                self.shutdown_kernels()
                self._http.post(f"{self.url}/api/shutdown", timeout=30)
            except requests.RequestException:
                # The signals below stop it, and the server shuts its kernels down on SIGTERM.
                pass
            try:
                process.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(SERVER_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(SERVER_STOP_TIMEOUT)
        self.process = None
        self._http.close()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_text(self) -> str:
        """Return the server's log, with its token replaced by ``<token>``."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return text.replace(self.token, "<token>")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -- notebooks ----------------------------------------------------------------------------

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def write_notebook(self, name: str, notebook: nbformat.NotebookNode) -> str:
        """Save ``notebook`` as ``name`` in the server's root folder and return the name."""
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
        nbformat.validate(notebook)
        nbformat.write(notebook, self.root_dir / name)
        return name


# -- building the notebooks ------------------------------------------------------------------------


def code_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def append_to_magic_line(source: str, magic: str, suffix: str) -> str:
    """Append ``suffix`` to the line of ``source`` that starts with ``magic`` (one line only)."""
    lines = source.splitlines()
    found = [index for index, line in enumerate(lines) if line.lstrip().startswith(magic)]
    if len(found) != 1:
        raise AssertionError(f"expected one line starting with {magic}, found {len(found)} in:\n{source}")
    lines[found[0]] = f"{lines[found[0]].rstrip()} {suffix}"
    return "\n".join(lines)


def copy_notebook(source: Path) -> nbformat.NotebookNode:
    """Read a notebook without its outputs and saved widget state, as a copy the test may change."""
    notebook = nbformat.read(source, as_version=4)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


# -- driving the page --------------------------------------------------------------------------------

# True once the notebook ``path`` is open and its kernel is idle. ``app.shell.widgets``
# lists the widgets of the main area. Synchronous, because wait_for_function takes a
# returned promise as a true value instead of awaiting it.
NOTEBOOK_READY_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) { return false; }
  const panel = [...app.shell.widgets('main')].find((w) => w.context && w.context.path === path);
  if (!panel || !panel.context.isReady || !panel.sessionContext.isReady) { return false; }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === 'idle';
}
"""

# Select one cell and run it with the "notebook:run-cell" command, whose promise resolves
# when the execution has finished. Rejects after ``timeout`` milliseconds. Returns the
# cell's execution count and outputs as nbformat JSON.
RUN_CELL_JS = """
async ([path, index, timeout]) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find((w) => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  const notebook = panel.content;
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  let timer;
  const expired = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`cell ${index} still runs after ${timeout} ms`)), timeout);
  });
  try {
    await Promise.race([app.commands.execute('notebook:run-cell'), expired]);
  } finally {
    clearTimeout(timer);
  }
  const cell = notebook.widgets[index];
  return { count: cell.model.executionCount, outputs: cell.model.outputs.toJSON() };
}
"""


def wait_for_notebook(page: Any, path: str, timeout_ms: float) -> None:
    """Wait until the notebook ``path`` is open in the page and its kernel is idle."""
    page.wait_for_function(NOTEBOOK_READY_JS, arg=path, timeout=timeout_ms, polling=250)


def run_cell(page: Any, path: str, index: int, timeout_ms: float) -> list[dict[str, Any]]:
    """Run cell ``index`` of notebook ``path`` and return its outputs. Fail on an error output."""
    result = page.evaluate(RUN_CELL_JS, [path, index, timeout_ms])
    outputs = result["outputs"]
    assert result["count"] is not None, f"cell {index} of {path} did not run"
    errors = [output for output in outputs if output.get("output_type") == "error"]
    assert not errors, f"cell {index} of {path} failed: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    return outputs


def page_texts(page: Any) -> str:
    """Return the page's serialized DOM and the values of its form fields, which the DOM omits."""
    values = page.evaluate(
        "() => Array.from(document.querySelectorAll('input, textarea')).map((field) => field.value)"
    )
    return page.content() + "\n" + "\n".join(values)


def assert_no_secret(text: str, secrets_: Iterable[str | None], where: str) -> None:
    """Fail when any of ``secrets_`` appears in ``text``. The message shows only a 3-character prefix."""
    for secret in secrets_:
        if secret:
            assert secret not in text, f"a secret starting {secret[:3]!r} is in {where}"


def write_private_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON readable by this user only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(data, stream)
    return path


def chromium_path() -> str | None:
    """Return Debian's chromium, or None when it is not installed."""
    return str(CHROMIUM) if CHROMIUM.exists() else None
