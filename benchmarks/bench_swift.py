"""Benchmark the Swift client core against python-swiftclient and curl, on a real Swift.

One run starts the real Swift of the tests (``tests/realswift``) on loopback and times
each client several times, the clients taking turns within each round:

- ``listing``: a container of 10,000 objects listed into a DataFrame. Ours are
  ``SwiftAccount.list_objects`` plus ``frames.swift.objects_frame``, ``%swift ls`` in an
  IPython shell, and the first in a new Python process. The peers are ``swift list``
  (the CLI, its process start included) and swiftclient's
  ``Connection.get_container(full_listing=True)``.
- ``upload``: a folder of 1,000 files of 1-10 KiB (random sizes, fixed seed) uploaded
  by ``upload_folder`` and by ``%swift upload``. The peers are ``swift upload`` (with its
  default 10 threads, and with our 8) and a bare loop of PUTs on pooled ``requests``
  connections with 8 threads (no HEAD, no MD5, a status check only). The bare loop is
  the server's own limit for small files.
- ``large``: one 256 MiB object uploaded by ``upload_file`` and downloaded by
  ``download_file``, against ``curl -T`` and ``curl -o``, swiftclient's ``put_object``
  and ``get_object``, and the ``swift`` CLI.
- ``memory``: the peak RSS growth of a new process that uploads, then downloads, the
  256 MiB object with our client.

The server's container listing limit is set to 10,000, Swift's default, so every client
lists the container in one full page and one empty page. Speed ratios are the peer's
median time divided by the client's, so above 1.0 means faster than the peer.

The report is Markdown on standard output; ``--output FILE`` also writes it to FILE.
Nothing else is written outside a temporary folder. A full run took 7 minutes on a busy
2-core machine, half of it in the upload rounds, and ``--quick`` took under a minute.

    OVHUB_SWIFT_PYTHON=/work/swift-venv/bin/python3 python benchmarks/bench_swift.py [--quick] [listing upload large memory]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import hashlib
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

import requests  # noqa: E402
import requests.adapters  # noqa: E402
import swiftclient  # noqa: E402

from ovhub_jupyter.core.accounts import REGISTRY, Account  # noqa: E402
from ovhub_jupyter.core.swift import DEFAULT_CONCURRENCY, SwiftAccount  # noqa: E402
from ovhub_jupyter.core.swift_auth import V1AuthProvider  # noqa: E402
from ovhub_jupyter.frames.swift import objects_frame  # noqa: E402
from tests.realswift import RealSwift, find_swift_python, missing_reason  # noqa: E402

BENCHMARKS = ("listing", "upload", "large", "memory")

# Swift's default container_listing_limit; the test fixture's default is 1,000.
LISTING_LIMIT = 10_000

# Threads of the bare PUT loop and of the object creation, the same as our default.
THREADS = DEFAULT_CONCURRENCY

# Threads of `swift upload` when no --object-threads is given (python-swiftclient 4.x).
SWIFT_CLI_DEFAULT_THREADS = 10

# Seed of the upload file sizes, and their bounds in bytes.
SEED = 20240611
SMALL_FILE_MIN = 1024
SMALL_FILE_MAX = 10 * 1024

# Body of each listed object. Not empty, because %swift ls checks every 0-byte entry
# with a HEAD in case it is a dynamic large object manifest.
LISTED_OBJECT_BODY = b"benchmark object\n"

# Bytes a streaming read or write handles at a time in the peers written here.
CHUNK = 1024 * 1024

# The name of the account the IPython shell's %swift commands use.
SHELL_ACCOUNT = "bench"

# Peak RSS growth allowed for a 256 MiB transfer.
MEMORY_TARGET = 64 * 2**20

# The swift CLI of the environment running this script.
SWIFT_CLI = str(Path(sys.executable).parent / "swift")

# Environment variables that carry the credentials to child processes, never their argv.
AUTH_VARIABLES = ("OVHUB_BENCH_AUTH_URL", "OVHUB_BENCH_USER", "OVHUB_BENCH_KEY")


@dataclass(frozen=True)
class Sizes:
    """The amount of data of one run."""

    listed_objects: int
    upload_files: int
    large_mib: int


FULL = Sizes(listed_objects=10_000, upload_files=1_000, large_mib=256)
QUICK = Sizes(listed_objects=500, upload_files=100, large_mib=16)


# A new Python process that lists a container into a DataFrame with our client, as a
# user's script would: argv is the container and the expected object count.
LIST_PROGRAM = """
import os, sys
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_auth import V1AuthProvider
from ovhub_jupyter.frames.swift import objects_frame
url, user, key = (os.environ[name] for name in ("OVHUB_BENCH_AUTH_URL", "OVHUB_BENCH_USER", "OVHUB_BENCH_KEY"))
frame = objects_frame(SwiftAccount(V1AuthProvider(url, user, key)).list_objects(sys.argv[1]))
sys.exit(0 if len(frame) == int(sys.argv[2]) else 1)
"""

# A new Python process that uploads or downloads one object with our client and prints
# its resident memory just before the transfer and its peak during it, in bytes. Writing
# 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current RSS on Linux 4.0 and
# later. Where that fails, the peak counts from the process start.
MEMORY_PROGRAM = """
import os, sys
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_auth import V1AuthProvider

def status(field):
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field + " is missing from /proc/self/status")

action, container, name, path = sys.argv[1:5]
url, user, key = (os.environ[name] for name in ("OVHUB_BENCH_AUTH_URL", "OVHUB_BENCH_USER", "OVHUB_BENCH_KEY"))
account = SwiftAccount(V1AuthProvider(url, user, key))
account.info()
account.container_exists(container)
try:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    reset = "reset"
except OSError:
    reset = "since start"
before = status("VmRSS")
if action == "upload":
    account.upload_file(container, name, path)
else:
    account.download_file(container, name, path)
print(before, status("VmHWM"), reset)
"""


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of one run, and the CPU seconds (user and system) the client used.

    The CPU time counts this process's threads and the child processes it waited for
    (the CLI, curl), never the Swift servers.
    """

    wall: float
    cpu: float


@dataclass
class Row:
    """The timings of one client, and the work one run does (objects, files or bytes)."""

    client: str
    timings: list[Timing]
    amount: float

    @property
    def seconds(self) -> list[float]:
        return [timing.wall for timing in self.timings]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Table:
    """One benchmark's rows; ``peers`` name the rows that ratio columns compare with."""

    title: str
    unit: str
    # Divides a row's amount to give the unit (2**20 for MiB/s, 1 for objects/s).
    scale: float
    rows: list[Row]
    peers: list[str]
    notes: list[str] = field(default_factory=list)

    def row(self, client: str) -> Row:
        return next(row for row in self.rows if row.client == client)


@dataclass(frozen=True)
class Target:
    """A speed the client must reach: at least ``minimum`` times the peer's."""

    table: str
    client: str
    peer: str
    minimum: float


@dataclass
class MemoryResult:
    """Peak RSS growth of our client's transfers, one figure a run, in bytes."""

    action: str
    growth: list[int]
    method: str


@dataclass
class Report:
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    memory: list[MemoryResult] = field(default_factory=list)


# -- the running server and the clients' settings ------------------------------------------


class Bench:
    """The real Swift, a scratch folder, and every client's way to reach the server."""

    def __init__(self, swift: RealSwift, scratch: Path, sizes: Sizes, repeats: int) -> None:
        self.swift = swift
        self.scratch = scratch
        self.sizes = sizes
        self.repeats = repeats
        self.account = SwiftAccount(V1AuthProvider(swift.auth_url, swift.user, swift.key))
        credentials = self.account.provider.get()
        self.storage_url = credentials.storage_url.rstrip("/")
        self.token = credentials.token
        self.header_file = self._write_header_file()
        self.child_env = self._child_environment()
        self._shell = None

    def _write_header_file(self) -> Path:
        # curl reads the token from this file (-H @FILE), so it never shows in `ps`.
        path = self.scratch / "auth-header"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"X-Auth-Token: {self.token}\n")
        return path

    def _child_environment(self) -> dict[str, str]:
        """Return the environment of child processes: credentials for the swift CLI and our probes."""
        env = {name: value for name, value in os.environ.items() if not name.startswith(("OS_", "ST_"))}
        env.update(ST_AUTH=self.swift.auth_url, ST_USER=self.swift.user, ST_KEY=self.swift.key)
        env.update(zip(AUTH_VARIABLES, (self.swift.auth_url, self.swift.user, self.swift.key)))
        env["PYTHONPATH"] = str(REPOSITORY)
        return env

    def object_url(self, container: str, name: str | None = None) -> str:
        path = "/" + quote(container)
        if name is not None:
            path += "/" + quote(name)
        return self.storage_url + path

    def swiftclient_connection(self) -> swiftclient.Connection:
        """Return a swiftclient connection that has already authenticated."""
        connection = swiftclient.Connection(authurl=self.swift.auth_url, user=self.swift.user, key=self.swift.key)
        connection.head_account()
        return connection

    def shell(self):  # noqa: ANN201 - an IPython InteractiveShell
        """Return an IPython shell with the extension loaded and the server as its default account."""
        if self._shell is None:
            from IPython.core.interactiveshell import InteractiveShell
            from traitlets.config import Config

            # No ovhub.conf or IPython profile of the user's is read or written, and no
            # history database, which would outlive the scratch folder.
            os.environ["OVHUB_CONFIG"] = str(self.scratch / "ovhub.conf")
            os.environ["IPYTHONDIR"] = str(self.scratch / "ipython")
            config = Config()
            config.HistoryManager.enabled = False
            shell = InteractiveShell.instance(config=config)
            shell.run_line_magic("load_ext", "ovhub_jupyter")
            provider = V1AuthProvider(self.swift.auth_url, self.swift.user, self.swift.key)
            account = Account(name=SHELL_ACCOUNT, kind="swift", endpoint=self.swift.auth_url, provider=provider)
            REGISTRY.register(account, make_default=True)
            self._shell = shell
        return self._shell

    def run_magic(self, line: str):  # noqa: ANN201 - the magic's result
        """Run ``%swift line``; its progress line on standard error is discarded."""
        with contextlib.redirect_stderr(io.StringIO()):
            return self.shell().run_line_magic("swift", line)

    def run_command(self, command: list[str], *, cwd: Path | None = None) -> str:
        """Run a command with the child environment; return its standard output, raise on failure."""
        completed = subprocess.run(command, env=self.child_env, cwd=cwd, capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed with status {completed.returncode}: {completed.stderr.strip()[-500:]}")
        return completed.stdout


def measure(function: Callable[[], object]) -> Timing:
    """Return the wall-clock and CPU seconds ``function`` takes.

    Dirty pages left by the previous step are written out first, so the kernel's writeback
    of one client's 256 MiB does not land in the next client's time.
    """
    os.sync()
    started_wall = time.perf_counter()
    started = os.times()
    function()
    ended = os.times()
    wall = time.perf_counter() - started_wall
    # user, system, children's user, children's system
    cpu = sum(ended[index] - started[index] for index in range(4))
    return Timing(wall, cpu)


def run_rounds(clients: dict[str, Callable[[int], Timing]], repeats: int) -> dict[str, list[Timing]]:
    """Run every client once a round, in a rotating order, and return each one's timings.

    A client gets the round number and returns the timing of its measured part, so it
    can prepare (a new container, a clean destination) without counting that.
    """
    timings: dict[str, list[Timing]] = {name: [] for name in clients}
    names = list(clients)
    for round_number in range(repeats):
        # Each round starts with the next client, so no client always runs right after
        # the same one (the one after the uploads would otherwise pay for their writeback).
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            client = clients[name]
            timing = client(round_number)
            timings[name].append(timing)
            print(f"  round {round_number + 1}: {name}: {timing.wall:.3f} s, CPU {timing.cpu:.2f} s", file=sys.stderr, flush=True)
    return timings


def bare_session(threads: int) -> requests.Session:
    """Return a plain requests session whose pool keeps ``threads`` connections."""
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=threads))
    return session


def put_bodies(bench: Bench, session: requests.Session, container: str, items: list[tuple[str, Callable[[], bytes]]]) -> None:
    """PUT every (name, body) with ``THREADS`` threads, checking only the status."""
    headers = {"X-Auth-Token": bench.token}

    def put(item: tuple[str, Callable[[], bytes]]) -> None:
        name, body = item
        response = session.put(bench.object_url(container, name), data=body(), headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"PUT {container}/{name} returned HTTP {response.status_code}")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(put, items))


def expect(actual: object, expected: object, description: str) -> None:
    """Raise ``RuntimeError`` unless a run produced what it should (a wrong run has no valid time)."""
    if actual != expected:
        raise RuntimeError(f"{description}: {actual}, expected {expected}")


# -- listing -------------------------------------------------------------------------------


def bench_listing(bench: Bench, report: Report) -> None:
    count = bench.sizes.listed_objects
    container = "listing"
    print(f"listing: creating {count} objects", file=sys.stderr, flush=True)
    bench.account.create_container(container)
    created = measure(lambda: create_listed_objects(bench, container, count)).wall
    expect(len(bench.account.list_objects(container)), count, "objects listed after creation")
    connection = bench.swiftclient_connection()

    def ours(_: int) -> Timing:
        return measure(lambda: expect(len(objects_frame(bench.account.list_objects(container))), count, "frame rows"))

    def magic(_: int) -> Timing:
        return measure(lambda: expect(len(bench.run_magic(f"ls {container}")), count, "%swift ls rows"))

    def ours_new_process(_: int) -> Timing:
        return measure(lambda: bench.run_command([sys.executable, "-c", LIST_PROGRAM, container, str(count)]))

    def swift_list(_: int) -> Timing:
        return measure(lambda: expect(len(bench.run_command([SWIFT_CLI, "list", container]).splitlines()), count, "swift list lines"))

    def get_container(_: int) -> Timing:
        return measure(lambda: expect(len(connection.get_container(container, full_listing=True)[1]), count, "get_container entries"))

    clients = {
        "ovhub list_objects + objects_frame": ours,
        "%swift ls (IPython shell)": magic,
        "ovhub in a new process (python -c)": ours_new_process,
        "swift list (CLI)": swift_list,
        "swiftclient get_container": get_container,
    }
    # One untimed round: the shell loads, and every pool and token cache fills.
    for client in clients.values():
        client(-1)
    timings = run_rounds(clients, bench.repeats)
    title = f"Listing {count:,} objects"
    report.tables.append(
        Table(
            title=title,
            unit="objects/s",
            scale=1,
            rows=[Row(name, runs, count) for name, runs in timings.items()],
            peers=["swift list (CLI)", "swiftclient get_container"],
            notes=[
                f"The {count:,} objects took {created:.0f} s to create with {THREADS} threads of PUTs.",
                "`swift list` and our new process include the interpreter start, the imports and v1 auth; "
                "the other rows reuse a token and pooled connections.",
            ],
        )
    )
    report.targets += [
        Target(title, "ovhub list_objects + objects_frame", "swift list (CLI)", 1.0),
        Target(title, "%swift ls (IPython shell)", "swift list (CLI)", 1.0),
    ]


def create_listed_objects(bench: Bench, container: str, count: int) -> None:
    names = [f"data/part-{index // 1000:02d}/row-{index:05d}.csv" for index in range(count)]
    with bare_session(THREADS) as session:
        put_bodies(bench, session, container, [(name, lambda: LISTED_OBJECT_BODY) for name in names])


# -- many small files ----------------------------------------------------------------------


def bench_upload(bench: Bench, report: Report) -> None:
    count = bench.sizes.upload_files
    folder = bench.scratch / "upload" / "files"
    total = write_small_files(folder, count)
    warm_up = bench.scratch / "warm-up" / "files"
    write_small_files(warm_up, 16)
    session = bare_session(THREADS)

    def fresh_container(label: str, round_number: int, create: bool = True) -> str:
        container = f"upload-{label}-{round_number + 1}"
        if create:
            bench.account.create_container(container)
        return container

    def check(container: str, expected: int = count) -> None:
        expect(len(bench.account.list_objects(container, prefix="files/")), expected, f"objects in {container}")

    def ours(round_number: int) -> Timing:
        container = fresh_container("ovhub", round_number)
        source = warm_up if round_number < 0 else folder
        timing = measure(lambda: bench.account.upload_folder(container, source, prefix="files/"))
        check(container, 16 if round_number < 0 else count)
        return timing

    def magic(round_number: int) -> Timing:
        container = fresh_container("magic", round_number, create=False)
        source = warm_up if round_number < 0 else folder
        timing = measure(lambda: bench.run_magic(f"upload {source} {container}"))
        check(container, 16 if round_number < 0 else count)
        return timing

    def cli(threads: int | None) -> Callable[[int], Timing]:
        def run(round_number: int) -> Timing:
            container = fresh_container(f"cli{threads or ''}", round_number, create=False)
            command = [SWIFT_CLI, "upload", container, "files"]
            if threads is not None:
                command += ["--object-threads", str(threads)]
            timing = measure(lambda: bench.run_command(command, cwd=folder.parent))
            check(container)
            return timing

        return run

    def bare(round_number: int) -> Timing:
        container = fresh_container("bare", round_number)
        source = warm_up if round_number < 0 else folder
        items = [(f"files/{path.relative_to(source).as_posix()}", path.read_bytes) for path in sorted_files(source)]
        timing = measure(lambda: put_bodies(bench, session, container, items))
        check(container, 16 if round_number < 0 else count)
        return timing

    # In-process clients first upload a small folder, untimed, to fill their pools.
    for client in (ours, magic, bare):
        client(-1)
    clients = {
        f"ovhub upload_folder ({DEFAULT_CONCURRENCY} threads)": ours,
        f"%swift upload (IPython shell, {DEFAULT_CONCURRENCY} threads)": magic,
        f"swift upload (CLI, default {SWIFT_CLI_DEFAULT_THREADS} threads)": cli(None),
        f"swift upload (CLI, {DEFAULT_CONCURRENCY} threads)": cli(DEFAULT_CONCURRENCY),
        f"bare PUT loop ({THREADS} threads)": bare,
    }
    timings = run_rounds(clients, bench.repeats)
    session.close()

    title = f"Uploading {count:,} files of 1-10 KiB ({total / 2**20:.1f} MiB)"
    names = list(clients)
    report.tables.append(
        Table(
            title=title,
            unit="files/s",
            scale=1,
            rows=[Row(name, runs, count) for name, runs in timings.items()],
            peers=[names[2], names[4]],
            notes=[
                "Every round uploads into new, empty containers. `upload_folder` and `%swift upload` list the "
                "destination once, then send a PUT per file. `swift upload` sends a HEAD (to find the segments "
                "of an object it replaces) and a PUT per file. The bare loop sends the PUT only.",
            ],
        )
    )
    report.targets += [
        Target(title, names[0], names[2], 1.0),
        Target(title, names[1], names[2], 1.0),
        Target(title, names[0], names[4], 0.9),
        Target(title, names[1], names[4], 0.9),
    ]


def write_small_files(folder: Path, count: int) -> int:
    """Write ``count`` files of random sizes (fixed seed) in 10 subfolders; return their total size."""
    generator = random.Random(SEED)
    total = 0
    for index in range(count):
        size = generator.randint(SMALL_FILE_MIN, SMALL_FILE_MAX)
        path = folder / f"part-{index % 10}" / f"file-{index:04d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(generator.randbytes(size))
        total += size
    return total


def sorted_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


# -- one large object ----------------------------------------------------------------------


def bench_large(bench: Bench, report: Report) -> None:
    size = bench.sizes.large_mib * 2**20
    source = large_file(bench)
    destination = bench.scratch / "downloaded.bin"
    container = "large"
    bench.account.create_container(container)
    connection = bench.swiftclient_connection()
    # A bare requests session: the bound a client that checks the MD5 can reach here.
    plain = bare_session(1)

    def uploaded_by(name: str, upload: Callable[[], object], *, replacing: bool = False) -> Timing:
        # Every client stores a new object, unless the row measures replacing one.
        if replacing:
            if not bench.account.object_exists(container, name):
                bench.account.upload_file(container, name, source)
        else:
            bench.account.delete_prefix(container, name)
        timing = measure(upload)
        expect(bench.account.stat_object(container, name).bytes, size, f"bytes of {container}/{name}")
        return timing

    def downloaded_by(download: Callable[[], object]) -> Timing:
        destination.unlink(missing_ok=True)
        timing = measure(download)
        expect(destination.stat().st_size, size, f"bytes of {destination.name}")
        return timing

    uploads = {
        "ovhub upload_file": lambda _: uploaded_by("ovhub.bin", lambda: bench.account.upload_file(container, "ovhub.bin", source)),
        "curl -T": lambda _: uploaded_by("curl.bin", lambda: curl(bench, ["-T", str(source), bench.object_url(container, "curl.bin")])),
        "swiftclient put_object": lambda _: uploaded_by("swiftclient.bin", lambda: swiftclient_put(connection, container, "swiftclient.bin", source)),
        "swift upload (CLI)": lambda _: uploaded_by(
            "cli.bin",
            lambda: bench.run_command([SWIFT_CLI, "upload", container, str(source), "--object-name", "cli.bin"]),
        ),
        "requests PUT + inline MD5": lambda _: uploaded_by(
            "md5.bin", lambda: md5_put(bench, plain, container, "md5.bin", source)
        ),
        "ovhub upload_file, replacing": lambda _: uploaded_by(
            "replaced.bin", lambda: bench.account.upload_file(container, "replaced.bin", source), replacing=True
        ),
    }
    # Every download reads the object our client uploaded.
    downloads = {
        "ovhub download_file": lambda _: downloaded_by(lambda: bench.account.download_file(container, "ovhub.bin", destination)),
        "curl -o": lambda _: downloaded_by(lambda: curl(bench, ["-o", str(destination), bench.object_url(container, "ovhub.bin")])),
        "swiftclient get_object": lambda _: downloaded_by(lambda: swiftclient_get(connection, container, "ovhub.bin", destination)),
        "requests GET + inline MD5": lambda _: downloaded_by(
            lambda: md5_get(bench, plain, container, "ovhub.bin", destination)
        ),
        "swift download (CLI)": lambda _: downloaded_by(
            lambda: bench.run_command([SWIFT_CLI, "download", container, "ovhub.bin", "-o", str(destination)])
        ),
    }
    timings = run_rounds(uploads, bench.repeats)
    # Downloads take turns on one object, read once untimed first: the first read of a
    # freshly written object is slower (the object server does not keep large files in the
    # page cache), and no client should be the one that always pays for it.
    bench.account.upload_file(container, "ovhub.bin", source)
    bench.account.download_file(container, "ovhub.bin", destination)
    timings.update(run_rounds(downloads, bench.repeats))
    destination.unlink(missing_ok=True)

    notes = [
        "Each upload stores a new object (deleted before the timed upload), except the 'replacing' row. "
        "Our client computes a new object's MD5 while sending and compares it with the ETag Swift returns; "
        "when replacing an object it reads the file twice, first for the MD5 it sends as ETag, so damaged bytes never replace it. "
        "On download it checks the MD5 and writes a temporary file that it renames. "
        "The 'requests ... inline MD5' rows do only the hashing and the ETag comparison, nothing else: "
        "the speed any client that checks the MD5 can reach on this machine. "
        "curl does neither; swiftclient's library calls check nothing, its CLI checks the MD5.",
        "The source file is in the page cache; the server stores the object on the same disk.",
    ]
    for action, clients in (("Uploading", uploads), ("Downloading", downloads)):
        title = f"{action} one {bench.sizes.large_mib} MiB object"
        rows = [Row(name, timings[name], size) for name in clients]
        report.tables.append(Table(title=title, unit="MiB/s", scale=2**20, rows=rows, peers=[rows[1].client], notes=notes))
        report.targets.append(Target(title, rows[0].client, rows[1].client, 0.9))
        notes = []


def large_file(bench: Bench) -> Path:
    """Return a file of random bytes of the large object's size, written once a run."""
    path = bench.scratch / "large.bin"
    if not path.exists():
        with open(path, "wb") as handle:
            for _ in range(bench.sizes.large_mib):
                handle.write(os.urandom(2**20))
    return path


def curl(bench: Bench, arguments: list[str]) -> None:
    bench.run_command(["curl", "-s", "-S", "-f", "-H", f"@{bench.header_file}", *arguments])


def swiftclient_put(connection: swiftclient.Connection, container: str, name: str, path: Path) -> None:
    with open(path, "rb") as handle:
        connection.put_object(container, name, handle, content_length=path.stat().st_size, chunk_size=CHUNK)


def swiftclient_get(connection: swiftclient.Connection, container: str, name: str, path: Path) -> None:
    _, body = connection.get_object(container, name, resp_chunk_size=CHUNK)
    with open(path, "wb") as handle:
        for chunk in body:
            handle.write(chunk)


class _HashingReader:
    """A request body that hashes every byte http.client reads from the file."""

    def __init__(self, handle: Any, size: int) -> None:
        self.handle = handle
        self.size = size
        self.digest = hashlib.md5()

    def __len__(self) -> int:
        return self.size

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def md5_put(bench: Bench, session: requests.Session, container: str, name: str, path: Path) -> None:
    """PUT with requests, hashing inline, then compare Swift's ETag: the least a checking client does."""
    with open(path, "rb") as handle:
        body = _HashingReader(handle, path.stat().st_size)
        response = session.put(bench.object_url(container, name), headers={"X-Auth-Token": bench.token}, data=body)
    response.raise_for_status()
    expect(response.headers["Etag"].strip('"'), body.digest.hexdigest(), f"ETag of {container}/{name}")


def md5_get(bench: Bench, session: requests.Session, container: str, name: str, path: Path) -> None:
    """GET with requests, hashing and writing each chunk, then compare the ETag."""
    digest = hashlib.md5()
    with session.get(bench.object_url(container, name), headers={"X-Auth-Token": bench.token}, stream=True) as response:
        response.raise_for_status()
        with open(path, "wb") as handle:
            for chunk in response.raw.stream(256 * 1024, decode_content=False):
                digest.update(chunk)
                handle.write(chunk)
    expect(digest.hexdigest(), response.headers["Etag"].strip('"'), f"MD5 of {container}/{name}")


# -- peak memory -----------------------------------------------------------------------------


def bench_memory(bench: Bench, report: Report) -> None:
    source = large_file(bench)
    destination = bench.scratch / "memory-downloaded.bin"
    container = "memory"
    bench.account.create_container(container)
    results = {action: MemoryResult(action, [], "") for action in ("upload", "download")}
    for round_number in range(bench.repeats):
        for action, path in (("upload", source), ("download", destination)):
            output = bench.run_command([sys.executable, "-c", MEMORY_PROGRAM, action, container, "large.bin", str(path)])
            before, peak, method = output.split()
            results[action].growth.append(int(peak) - int(before))
            results[action].method = method
            print(f"  round {round_number + 1}: {action}: {(int(peak) - int(before)) / 2**20:.1f} MiB", file=sys.stderr, flush=True)
        expect(destination.stat().st_size, source.stat().st_size, "bytes downloaded")
        destination.unlink()
    report.memory += list(results.values())


# -- report ----------------------------------------------------------------------------------


def render(report: Report, arguments: argparse.Namespace, sizes: Sizes, loads: tuple[str, str]) -> str:
    lines = [f"## Swift client benchmarks{' (quick sizes)' if arguments.quick else ''}", ""]
    lines += machine_lines(arguments, loads)
    for table in report.tables:
        lines += ["", f"### {table.title}", ""] + table_lines(table)
    if report.memory:
        lines += ["", f"### Peak memory growth of one {sizes.large_mib} MiB transfer (new process)", ""]
        lines += memory_lines(report.memory)
    lines += ["", "### Targets", ""] + target_lines(report)
    return "\n".join(lines) + "\n"


def table_lines(table: Table) -> list[str]:
    header = ["client", "median s", "min s", "max s", f"median {table.unit}", "client CPU s"]
    header += [f"speed vs {peer}" for peer in table.peers]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for row in table.rows:
        cells = [
            row.client,
            f"{row.median:.3f}",
            f"{min(row.seconds):.3f}",
            f"{max(row.seconds):.3f}",
            f"{row.amount / table.scale / row.median:,.1f}",
            f"{statistics.median(timing.cpu for timing in row.timings):.2f}",
        ]
        cells += [f"{table.row(peer).median / row.median:.2f}x" for peer in table.peers]
        lines.append("| " + " | ".join(cells) + " |")
    if table.notes:
        lines.append("")
        lines += table.notes
    return lines


def memory_lines(results: list[MemoryResult]) -> list[str]:
    lines = ["| transfer | median MiB | min MiB | max MiB | target |", "|---|---:|---:|---:|---|"]
    for result in results:
        mib = [value / 2**20 for value in result.growth]
        verdict = "meets" if max(result.growth) < MEMORY_TARGET else "misses"
        lines.append(
            f"| ovhub {result.action}_file | {statistics.median(mib):.1f} | {min(mib):.1f} | {max(mib):.1f} | "
            f"under {MEMORY_TARGET // 2**20}: {verdict} |"
        )
    method = results[0].method
    lines += [
        "",
        "Growth is the peak RSS (VmHWM) during the transfer minus the RSS just before it, after the imports, "
        "auth and /info; "
        + ("the peak was reset just before the transfer." if method == "reset" else "the peak could not be reset, so it counts from the process start."),
    ]
    return lines


def target_lines(report: Report) -> list[str]:
    lines = []
    for target in report.targets:
        table = next(table for table in report.tables if table.title == target.table)
        ratio = table.row(target.peer).median / table.row(target.client).median
        verdict = "meets" if ratio >= target.minimum else "misses"
        lines.append(f"- {target.table}: {target.client} at {ratio:.3f}x the speed of {target.peer} "
                     f"(target at least {target.minimum}x): {verdict}")
    for result in report.memory:
        verdict = "meets" if max(result.growth) < MEMORY_TARGET else "misses"
        lines.append(f"- Peak memory growth of {result.action}_file: at most {max(result.growth) / 2**20:.1f} MiB "
                     f"(target under {MEMORY_TARGET // 2**20} MiB): {verdict}")
    return lines


def machine_lines(arguments: argparse.Namespace, loads: tuple[str, str]) -> list[str]:
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    return [
        f"- Command: `{command}` (from the repository top, with `OVHUB_SWIFT_PYTHON` set)",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores, {memory_total()} memory, {platform.system()} {platform.release()}",
        f"- Client: Python {platform.python_version()}, ovhub_jupyter at commit {git_commit()}, "
        + ", ".join(f"{name} {package_version(name)}" for name in ("requests", "urllib3", "pandas", "ipython", "python-swiftclient")),
        f"- {subprocess.run(['curl', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}",
        f"- Server: OpenStack Swift {swift_version()} on 127.0.0.1 (tests/realswift: one replica, one process a server, "
        f"tempauth), container listing limit {LISTING_LIMIT:,}; it shares the cores with the clients",
        f"- Rounds: {arguments.repeats}, the clients taking turns within each round. Times are wall clock; "
        "client CPU is the median of the user and system seconds of the client's process and the children "
        "it waited for (the CLI, curl), not the servers'",
        f"- Load average (1, 5, 15 min): {loads[0]} at the start, {loads[1]} at the end",
    ]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_total() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def swift_version() -> str:
    python = find_swift_python()
    completed = subprocess.run([str(python), "-c", "import swift; print(swift.__version__)"], capture_output=True, text=True)
    return completed.stdout.strip() or "unknown"


def git_commit() -> str:
    completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True)
    return completed.stdout.strip() or "unknown"


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# -- command line ----------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Bench, Report], None]] = {
    "listing": bench_listing,
    "upload": bench_upload,
    "large": bench_large,
    "memory": bench_memory,
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmarks", nargs="*", metavar="BENCHMARK",
                        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help=f"small sizes: {QUICK.listed_objects} objects, {QUICK.upload_files} files, {QUICK.large_mib} MiB")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of every client (default 3)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the Markdown report to FILE")
    arguments = parser.parse_args()
    unknown = sorted(set(arguments.benchmarks) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}")
    if arguments.repeats < 1:
        parser.error("--repeats must be at least 1")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    reason = missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    selected = [name for name in BENCHMARKS if name in (arguments.benchmarks or BENCHMARKS)]
    sizes = QUICK if arguments.quick else FULL

    load_at_start = load_average()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="bench-swift-") as scratch, RealSwift(listing_limit=LISTING_LIMIT) as swift:
        bench = Bench(swift, Path(scratch), sizes, arguments.repeats)
        for name in selected:
            print(f"{name}:", file=sys.stderr, flush=True)
            RUNNERS[name](bench, report)
    text = render(report, arguments, sizes, (load_at_start, load_average()))

    print(text)
    if arguments.output:
        arguments.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
