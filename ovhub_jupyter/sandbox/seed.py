"""Seed data: the containers and objects a fresh sandbox starts with.

Written once, the first time a data folder is used, and brought back by every reset. The
files are generated here from a fixed random seed, with no timestamps inside them and
every object dated ``SEED_TIME``, so notebooks that print sizes, hashes and dates show the
same output on every run. The Parquet file is written with pinned options; its footer
still names the pyarrow version that wrote it, so its bytes can change with pyarrow.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .swift import SwiftService

# Time of every seeded account, container and object: 2024-01-02T09:30:00Z.
SEED_TIME = 1704187800.0

# Seed of the random generator behind the data sets.
RANDOM_SEED = 20240102

# Content type Swift clients (and hubiC) use for folder marker objects.
DIRECTORY = "application/directory"

_REGIONS = ("north", "south", "east", "west")
_PRODUCTS = ("widget", "gadget", "gizmo", "doohickey", "sprocket")


def sales_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Return ``count`` rows of a small, plausible sales table."""
    start = datetime.date(2023, 1, 1)
    rows = []
    for number in range(1, count + 1):
        quantity = rng.randint(1, 40)
        unit_price = round(rng.uniform(2.5, 120.0), 2)
        rows.append(
            {
                "order_id": number,
                "date": (start + datetime.timedelta(days=rng.randrange(365))).isoformat(),
                "region": rng.choice(_REGIONS),
                "product": rng.choice(_PRODUCTS),
                "quantity": quantity,
                "unit_price": unit_price,
                "total": round(quantity * unit_price, 2),
            }
        )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """Return rows as CSV with a header line and ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_jsonl(rows: list[dict[str, Any]]) -> bytes:
    """Return rows as JSON lines with sorted keys."""
    return "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows).encode("utf-8")


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    """Return rows as a Parquet file written with fixed options and no pandas metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[name] for row in rows] for name in rows[0]}
    table = pa.table(columns)
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        compression="snappy",
        version="2.6",
        data_page_version="1.0",
        use_dictionary=True,
        write_statistics=True,
        store_schema=False,
    )
    return buffer.getvalue()


def measurements_csv(rng: random.Random) -> bytes:
    """Return a small sensor table for the plain Swift account."""
    lines = ["sensor,hour,temperature_c,humidity_pct"]
    for hour in range(48):
        for sensor in ("s1", "s2", "s3"):
            lines.append(f"{sensor},{hour},{rng.gauss(18.0, 3.0):.2f},{rng.uniform(30, 80):.1f}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed_swift(swift: "SwiftService") -> None:
    """Write every seeded account of every cluster."""
    demo = swift.state.demo
    rng = random.Random(RANDOM_SEED)
    sales = sales_rows(300, rng)

    _seed_hubic(swift, demo["hubic"]["account"], sales)
    _seed_plain(swift, demo["swift"]["account"], rng)
    _seed_project(swift, demo["ovh"]["project_id"], [region.lower() for region in demo["ovh"]["regions"]], sales)
    _seed_webstorage(swift, demo["ovh"]["webstorage_account"])


# hubiC accounts had 25 GiB; the sandbox hubiC API reports the same figure.
HUBIC_QUOTA_BYTES = 26843545600


def _put(swift: "SwiftService", cluster: str, account: str, container: str, name: str, data: bytes, content_type: str) -> None:
    swift.put_object_bytes(cluster, account, container, name, data, content_type, timestamp=SEED_TIME)


def _container(swift: "SwiftService", cluster: str, account: str, name: str, meta: dict[str, str] | None = None) -> None:
    swift.store.ensure_account(cluster, account, SEED_TIME)
    swift.store.put_container(cluster, account, name, SEED_TIME, dict(meta or {}))


def _seed_hubic(swift: "SwiftService", account: str, sales: list[dict[str, Any]]) -> None:
    # hubiC keeps everything in "default", folders as zero-byte directory markers, and
    # large files' segments in "default_segments".
    _container(swift, "main", account, "default")
    _container(swift, "main", account, "default_segments")
    # hubiC reported the account's quota on a HEAD of the Swift account.
    swift.store.update_account_meta("main", account, {"X-Account-Meta-Quota": str(HUBIC_QUOTA_BYTES)})
    for folder in ("Documents", "Photos", "datasets"):
        _put(swift, "main", account, "default", folder, b"", DIRECTORY)
    readme = (
        "Welcome to the ovhub_jupyter sandbox.\n"
        "This hubiC account is emulated locally; nothing here leaves your machine.\n"
    ).encode("utf-8")
    _put(swift, "main", account, "default", "Documents/readme.txt", readme, "text/plain")
    _put(swift, "main", account, "default", "datasets/sales.csv", to_csv(sales), "text/csv")
    _put(swift, "main", account, "default", "datasets/sales.parquet", to_parquet(sales), "application/vnd.apache.parquet")
    _put(swift, "main", account, "default", "datasets/sales.jsonl", to_jsonl(sales[:100]), "application/x-ndjson")


def _seed_plain(swift: "SwiftService", account: str, rng: random.Random) -> None:
    _container(swift, "main", account, "data")
    _put(swift, "main", account, "data", "measurements.csv", measurements_csv(rng), "text/csv")


def _seed_project(swift: "SwiftService", project: str, regions: list[str], sales: list[dict[str, Any]]) -> None:
    for region in regions:
        _container(swift, region, project, "notebooks-data")
        _container(swift, region, project, "backups")
        subset = [row for row in sales if row["region"] in ("north", "east")] if region == "gra" else sales[:120]
        _put(swift, region, project, "notebooks-data", "sales.csv", to_csv(subset), "text/csv")
        _put(swift, region, project, "notebooks-data", "sales.parquet", to_parquet(subset), "application/vnd.apache.parquet")
        note = json.dumps({"region": region, "kind": "backup manifest", "files": []}, sort_keys=True).encode("utf-8")
        _put(swift, region, project, "backups", "manifest.json", note, "application/json")
    if regions:
        # A public container: anyone may read and list it without a token.
        _container(swift, regions[0], project, "public-assets", {"X-Container-Read": ".r:*,.rlistings"})
        _put(swift, regions[0], project, "public-assets", "hello.txt", b"Hello from a public container.\n", "text/plain")


def _seed_webstorage(swift: "SwiftService", account: str) -> None:
    _container(swift, "main", account, "static")
    page = b"<!DOCTYPE html><html><head><title>CDN webstorage</title></head><body><p>It works.</p></body></html>\n"
    _put(swift, "main", account, "static", "index.html", page, "text/html")
