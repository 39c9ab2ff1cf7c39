"""Read throughput of the swift:// file system against curl, on a real Swift on loopback.

One Parquet file of random float64 columns (so compression cannot shrink it) is stored
on the real Swift fixture, then read in rounds. Each round runs, in this order:

- curl: ``curl -s -o /dev/null -H @FILE URL``, the token in a header file so that it
  never shows in ``ps``;
- fs.read: ``SwiftFileSystem.open(path).read()``, the whole object through the block
  cache, fetched as parallel ranged GETs;
- pandas: ``pd.read_parquet("swift://...")``, which also decodes the columns.

Throughput is the object's size over the wall-clock time of one read. The table gives
the median of the rounds and its ratio to curl's median, and the target is at least 0.8x.
Client, server and curl share the machine, so run it when nothing else is busy.

    OVHUB_SWIFT_PYTHON=/work/swift-venv/bin/python3 python benchmarks/bench_fs_read.py --size-mib 256 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

import fsspec  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import requests  # noqa: E402

from ovhub_jupyter.fs import SwiftFileSystem  # noqa: E402
from tests.realswift import RealSwift, find_swift_python, missing_reason  # noqa: E402

CONTAINER = "bench"
OBJECT = "table.parquet"
COLUMNS = 8

# The ratio to curl's throughput that the file system should reach.
TARGET_RATIO = 0.8


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=256, help="size of the Parquet file, in MiB (default 256)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three reads (default 5)")
    return parser.parse_args()


def write_parquet(path: Path, size_mib: int) -> int:
    """Write a Parquet file of about ``size_mib`` MiB of random float64 values; return its size."""
    rows = size_mib * 1024 * 1024 // (8 * COLUMNS)
    generator = np.random.default_rng(20240102)
    table = pa.table({f"c{index}": generator.random(rows) for index in range(COLUMNS)})
    pq.write_table(table, path, compression="none")
    return path.stat().st_size


def time_curl(url: str, header_file: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["curl", "-s", "-f", "-o", "/dev/null", "-H", f"@{header_file}", url], check=True)
    return time.perf_counter() - started


def time_fs_read(fs: SwiftFileSystem, path: str, size: int) -> float:
    fs.invalidate_cache()
    started = time.perf_counter()
    with fs.open(path, "rb") as handle:
        data = handle.read()
    elapsed = time.perf_counter() - started
    if len(data) != size:
        raise RuntimeError(f"fs.read returned {len(data)} bytes, expected {size}")
    return elapsed


def time_pandas(fs: SwiftFileSystem, url: str, options: dict[str, str], rows: int) -> float:
    # pandas gets the same cached file system instance: start it without cached HEADs too.
    fs.invalidate_cache()
    started = time.perf_counter()
    frame = pd.read_parquet(url, storage_options=options)
    elapsed = time.perf_counter() - started
    if len(frame) != rows:
        raise RuntimeError(f"pandas read {len(frame)} rows, expected {rows}")
    return elapsed


def machine_lines() -> list[str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    curl = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    swift_python = find_swift_python()
    swift = subprocess.run(
        [str(swift_python), "-c", "import swift; print(swift.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; pandas {pd.__version__}, pyarrow {pa.__version__}, "
        f"fsspec {fsspec.__version__}, requests {requests.__version__}",
        f"- {curl}",
        f"- Server: OpenStack Swift {swift}, one replica on loopback (tests/realswift), same machine as the client",
        f"- Command: `{' '.join(shlex.quote(part) for part in [Path(sys.executable).name, *sys.argv])}`",
    ]


def main() -> int:
    arguments = parse_arguments()
    reason = missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-fs-read-") as scratch, RealSwift() as swift:
        scratch_path = Path(scratch)
        local = scratch_path / OBJECT
        size = write_parquet(local, arguments.size_mib)
        rows = pq.ParquetFile(local).metadata.num_rows

        options = {"auth_url": swift.auth_url, "user": swift.user, "key": swift.key}
        fs = SwiftFileSystem(**options)
        fs.mkdir(CONTAINER)
        fs.put_file(str(local), f"{CONTAINER}/{OBJECT}")
        local.unlink()

        credentials = fs.provider.get()
        header_file = scratch_path / "auth-header"
        header_file.touch(mode=0o600)
        header_file.write_text(f"X-Auth-Token: {credentials.token}\n")
        url = f"{credentials.storage_url}/{CONTAINER}/{OBJECT}"

        timings: dict[str, list[float]] = {"curl": [], "fs.read": [], "pandas": []}
        # One untimed read of each kind warms the server's and the client's caches.
        time_curl(url, header_file)
        time_fs_read(fs, f"{CONTAINER}/{OBJECT}", size)
        time_pandas(fs, f"swift://{CONTAINER}/{OBJECT}", options, rows)
        for _ in range(arguments.rounds):
            timings["curl"].append(time_curl(url, header_file))
            timings["fs.read"].append(time_fs_read(fs, f"{CONTAINER}/{OBJECT}", size))
            timings["pandas"].append(time_pandas(fs, f"swift://{CONTAINER}/{OBJECT}", options, rows))

    print_report(arguments, size, timings)
    return 0


def print_report(arguments: argparse.Namespace, size: int, timings: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in timings.items()}
    curl_rate = size / medians["curl"]
    print(f"## swift:// read throughput, {size / 2**20:.0f} MiB Parquet file, {arguments.rounds} rounds\n")
    print("\n".join(machine_lines()))
    print()
    print("| reader | median s | MiB/s | vs curl | all rounds (s) |")
    print("|---|---:|---:|---:|---|")
    for name, seconds in medians.items():
        rate = size / seconds
        rounds = ", ".join(f"{value:.3f}" for value in timings[name])
        print(f"| {name} | {seconds:.3f} | {rate / 2**20:.0f} | {rate / curl_rate:.2f}x | {rounds} |")
    print()
    verdicts = [
        f"{name} {'meets' if size / medians[name] >= TARGET_RATIO * curl_rate else 'misses'} the {TARGET_RATIO}x target"
        for name in ("fs.read", "pandas")
    ]
    print("; ".join(verdicts) + ".")


if __name__ == "__main__":
    sys.exit(main())
