"""A real OpenStack Swift on loopback: one replica, tempauth, every server in one folder.

The integration tests and the benchmarks compare the client core and the sandbox with a
real Swift. ``RealSwift`` writes the configuration, builds the rings, starts memcached,
the proxy, account, container and object servers and the container updater on free
loopback ports, waits until v1 auth answers, and stops exactly the processes it started.

It needs Swift's programs in a virtual environment of their own (``pip install
swift==2.38.3``; Swift pins versions of eventlet, greenlet and others) and memcached
(tempauth keeps its tokens there). ``find_swift_python`` and ``find_memcached`` locate
them; ``missing_reason`` tells a test why it has to skip.

Set ``OVHUB_SWIFT_PYTHON`` to the Swift environment's python, create that environment as
``.venv-swift`` at the top of the repository (``.ci/run`` does), or put its ``bin`` on PATH.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).with_name("_launch.py")

# Seconds to wait for every server to answer before giving up.
START_TIMEOUT = 90

# The tempauth user every test uses: account AUTH_test, user test:tester, key testing.
ACCOUNT = "test"
USER = "test:tester"
KEY = "testing"

SERVER_ROLES = ("object", "container", "account", "proxy")

PROXY_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl "
    "ratelimit formpost tempauth staticweb copy container-quotas account-quotas slo dlo "
    "versioned_writes symlink proxy-logging proxy-server"
)

# Entry point names (swift's egg) where they differ from the pipeline name: dashes become
# underscores, and the "cache" filter is the "memcache" entry point.
EGG_NAMES = {"cache": "memcache"}


def find_swift_python() -> Path | None:
    """Return the python of a virtual environment with Swift installed, or None."""
    configured = os.environ.get("OVHUB_SWIFT_PYTHON")
    if configured:
        path = Path(configured)
        return path if path.exists() else None
    in_repository = Path(__file__).resolve().parents[2] / ".venv-swift" / "bin" / "python3"
    if in_repository.exists():
        return in_repository
    proxy = shutil.which("swift-proxy-server")
    if proxy:
        candidate = Path(proxy).parent / "python3"
        if candidate.exists():
            return candidate
    return None


def find_memcached() -> Path | None:
    """Return the memcached program, or None."""
    found = shutil.which("memcached") or ("/usr/bin/memcached" if Path("/usr/bin/memcached").exists() else None)
    return Path(found) if found else None


def missing_reason() -> str | None:
    """Return why the real Swift cannot start here, or None when it can."""
    if find_swift_python() is None:
        return (
            "real Swift not installed: set OVHUB_SWIFT_PYTHON to the python of a venv with "
            "'pip install swift==2.38.3' (.ci/run does this)"
        )
    if find_memcached() is None:
        return "memcached not installed (apt-get install --no-install-recommends memcached); tempauth needs it"
    return None


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SwiftPorts:
    proxy: int
    account: int
    container: int
    object: int
    memcached: int


class RealSwift:
    """A running single-node Swift; use as a context manager or call start() and stop()."""

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        listing_limit: int = 1000,
        token_life: int = 86400,
        updater_interval: int = 1,
    ) -> None:
        reason = missing_reason()
        if reason:
            raise RuntimeError(reason)
        self.python = find_swift_python()
        self.memcached = find_memcached()
        self._owned_base = base_dir is None
        self.base = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="ovhub-realswift-"))
        self.listing_limit = listing_limit
        self.token_life = token_life
        self.updater_interval = updater_interval
        self.ports = SwiftPorts(free_port(), free_port(), free_port(), free_port(), free_port())
        self.processes: dict[str, subprocess.Popen] = {}
        self.user = USER
        self.key = KEY

    # -- addresses -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.proxy}"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth/v1.0"

    @property
    def storage_url(self) -> str:
        return f"{self.url}/v1/AUTH_{ACCOUNT}"

    def authenticate(self) -> tuple[str, str]:
        """Return ``(storage_url, token)`` from v1 auth."""
        request = urllib.request.Request(self.auth_url, headers={"X-Auth-User": self.user, "X-Auth-Key": self.key})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            return response.headers["X-Storage-Url"], response.headers["X-Auth-Token"]

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> "RealSwift":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> "RealSwift":
        """Configure, start every process, and wait until auth works."""
        try:
            self._write_configuration()
            self._build_rings()
            self._start_memcached()
            for role in SERVER_ROLES:
                self._start_server(role)
            self._wait_until_ready()
            self._start_updater()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every process this object started, by PID, then remove its folder."""
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                _terminate_group(process)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.wait(timeout=5)
        self.processes.clear()
        if self._owned_base:
            shutil.rmtree(self.base, ignore_errors=True)

    def logs(self, role: str) -> str:
        """Return what a server wrote to its log file (for failure messages)."""
        path = self.base / "log" / f"{role}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- set-up steps --------------------------------------------------------------------

    def _write_configuration(self) -> None:
        for name in ("etc", "data/sdb1", "run", "log", "cache"):
            (self.base / name).mkdir(parents=True, exist_ok=True)
        etc = self.base / "etc"
        (etc / "swift.conf").write_text(
            "[swift-hash]\n"
            f"swift_hash_path_prefix = {secrets.token_hex(8)}\n"
            f"swift_hash_path_suffix = {secrets.token_hex(8)}\n\n"
            "[storage-policy:0]\nname = Policy-0\ndefault = yes\n\n"
            "[swift-constraints]\n"
            f"container_listing_limit = {self.listing_limit}\n"
            f"account_listing_limit = {self.listing_limit}\n"
        )
        for role in ("account", "container", "object"):
            (etc / f"{role}-server.conf").write_text(
                self._common_section(getattr(self.ports, role))
                + f"[pipeline:main]\npipeline = healthcheck {role}-server\n\n"
                + f"[app:{role}-server]\nuse = egg:swift#{role}\n\n"
                + "[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n"
                + ("[container-updater]\n" f"interval = {self.updater_interval}\n" "concurrency = 1\n" if role == "container" else "")
            )
        (etc / "proxy-server.conf").write_text(self._proxy_configuration())

    def _common_section(self, port: int) -> str:
        return (
            "[DEFAULT]\n"
            "bind_ip = 127.0.0.1\n"
            f"bind_port = {port}\n"
            "workers = 0\n"
            f"user = {pwd.getpwuid(os.getuid()).pw_name}\n"
            f"swift_dir = {self.base / 'etc'}\n"
            f"devices = {self.base / 'data'}\n"
            "mount_check = false\n"
            f"recon_cache_path = {self.base / 'cache'}\n"
            "log_level = INFO\n\n"
        )

    def _proxy_configuration(self) -> str:
        sections = [
            self._common_section(self.ports.proxy),
            f"[pipeline:main]\npipeline = {PROXY_PIPELINE}\n\n",
            # A backend error (such as ENOSPC on an xattr for a very long name) would
            # otherwise take the only object server out of service for 60 s.
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\nallow_account_management = true\n"
            "error_suppression_limit = 1000000\n\n",
        ]
        filters = []
        for name in PROXY_PIPELINE.split()[:-1]:
            if name in filters:
                continue
            filters.append(name)
            egg = EGG_NAMES.get(name, name.replace("-", "_"))
            extra = ""
            if name == "cache":
                extra = f"memcache_servers = 127.0.0.1:{self.ports.memcached}\n"
            elif name == "tempauth":
                extra = f"user_{ACCOUNT}_tester = {KEY} .admin\ntoken_life = {self.token_life}\n"
            sections.append(f"[filter:{name}]\nuse = egg:swift#{egg}\n{extra}\n")
        return "".join(sections)

    def _build_rings(self) -> None:
        script = (
            "import sys\n"
            "from swift.common.ring import RingBuilder\n"
            "etc, ports = sys.argv[1], dict(p.split('=') for p in sys.argv[2:])\n"
            "for role, port in ports.items():\n"
            "    builder = RingBuilder(10, 1, 1)\n"
            "    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port),\n"
            "                     'device': 'sdb1', 'weight': 1.0, 'meta': ''})\n"
            "    builder.rebalance()\n"
            "    builder.save(f'{etc}/{role}.builder')\n"
            "    builder.get_ring().save(f'{etc}/{role}.ring.gz')\n"
        )
        arguments = [f"{role}={getattr(self.ports, role)}" for role in ("account", "container", "object")]
        subprocess.run(
            [str(self.python), "-c", script, str(self.base / "etc"), *arguments],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _start_memcached(self) -> None:
        command = [str(self.memcached), "-l", "127.0.0.1", "-p", str(self.ports.memcached), "-U", "0", "-m", "64"]
        if os.getuid() == 0:
            command += ["-u", "memcache" if _user_exists("memcache") else "root"]
        self._spawn("memcached", command)

    def _start_server(self, role: str) -> None:
        conf = self.base / "etc" / f"{role}-server.conf"
        self._spawn(role, [str(self.python), str(LAUNCHER), str(self.base / "etc"), role, str(conf)])

    def _start_updater(self) -> None:
        conf = self.base / "etc" / "container-server.conf"
        self._spawn(
            "container-updater",
            [str(self.python), str(LAUNCHER), str(self.base / "etc"), "container-updater", str(conf)],
        )

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.base / "log" / f"{name}.log", "ab")
        try:
            # A new session, so stop() can signal the server and any child it forks.
            self.processes[name] = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        finally:
            log.close()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        pending = {role: getattr(self.ports, role) for role in SERVER_ROLES}
        while pending:
            for role, port in list(pending.items()):
                process = self.processes[role]
                if process.poll() is not None:
                    raise RuntimeError(f"swift {role} server exited with {process.returncode}:\n{self.logs(role)[-3000:]}")
                if _answers(f"http://127.0.0.1:{port}/healthcheck"):
                    del pending[role]
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"swift servers not ready after {START_TIMEOUT} s: {sorted(pending)}")
            if pending:
                time.sleep(0.2)

        while True:
            try:
                self.authenticate()
                return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"swift v1 auth not answering after {START_TIMEOUT} s:\n{self.logs('proxy')[-3000:]}")
                time.sleep(0.2)


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _terminate_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    # Start a real Swift by hand: python -m tests.realswift (Ctrl-C stops it).
    with RealSwift() as swift:
        print(f"Swift running at {swift.url}  auth {swift.auth_url}  user {swift.user}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
        sys.exit(0)
