"""Seed data: what a fresh sandbox holds, and that it is the same bytes on every run."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pyarrow.parquet as pq
import requests

from ovhub_jupyter.sandbox import Sandbox
from ovhub_jupyter.sandbox.seed import SEED_TIME


def listing(url, token, container=""):
    response = requests.get(f"{url}/{container}".rstrip("/"), headers={"X-Auth-Token": token}, params={"format": "json"})
    assert response.status_code == 200
    return response.json()


def seeded_objects(sandbox):
    """Return {(cluster, account, container, name): (size, etag)} of every seeded object."""
    swift = sandbox.app.services["swift"]
    found = {}
    demo = sandbox.app.state.demo
    accounts = [
        ("main", demo["hubic"]["account"]),
        ("main", demo["swift"]["account"]),
        ("main", demo["ovh"]["webstorage_account"]),
        ("gra", demo["ovh"]["project_id"]),
        ("sbg", demo["ovh"]["project_id"]),
    ]
    for cluster, account in accounts:
        for container in swift.account_containers(cluster, account):
            for record in swift.store.iter_objects(cluster, account, container["name"]):
                found[(cluster, account, container["name"], record.name)] = (record.size, record.etag)
    return found


def test_hubic_account_has_folders_and_datasets(tmp_path):
    with Sandbox(data_dir=tmp_path) as sandbox:
        swift = sandbox.app.services["swift"]
        account = sandbox.app.state.demo["hubic"]["account"]
        token = swift.issue_token([("main", account)])
        url = swift.storage_url("main", account)

        entries = {entry["name"]: entry for entry in listing(url, token.value, "default")}
        csv_bytes = requests.get(f"{url}/default/datasets/sales.csv", headers={"X-Auth-Token": token.value}).content
        parquet_bytes = requests.get(f"{url}/default/datasets/sales.parquet", headers={"X-Auth-Token": token.value}).content
        containers = [entry["name"] for entry in listing(url, token.value)]

    for folder in ("Documents", "Photos", "datasets"):
        assert entries[folder]["content_type"] == "application/directory"
        assert entries[folder]["bytes"] == 0
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode())))
    table = pq.read_table(io.BytesIO(parquet_bytes))
    assert 200 <= len(rows) <= 1000
    assert table.num_rows == len(rows)
    assert table.column_names == list(rows[0])
    assert entries["datasets/sales.csv"]["last_modified"] == "2024-01-02T09:30:00.000000"
    assert entries["datasets/sales.jsonl"]["bytes"] > 0
    assert containers == ["default", "default_segments"]


def test_other_accounts_are_seeded(tmp_path):
    with Sandbox(data_dir=tmp_path) as sandbox:
        found = seeded_objects(sandbox)
        demo = sandbox.app.state.demo
        public = requests.get(f"{sandbox.url}/storage/gra/v1/AUTH_{demo['ovh']['project_id']}/public-assets/hello.txt")

    project = demo["ovh"]["project_id"]
    assert ("main", "demo", "data", "measurements.csv") in found
    assert ("gra", project, "notebooks-data", "sales.parquet") in found
    assert ("sbg", project, "notebooks-data", "sales.csv") in found
    assert ("main", demo["ovh"]["webstorage_account"], "static", "index.html") in found
    assert public.status_code == 200


def test_seed_is_identical_across_data_folders(tmp_path):
    with Sandbox(data_dir=tmp_path / "one") as first:
        one = {key[2:]: value for key, value in seeded_objects(first).items()}
    with Sandbox(data_dir=tmp_path / "two") as second:
        two = {key[2:]: value for key, value in seeded_objects(second).items()}

    assert one == two
    assert len(one) >= 12


def test_seed_files_hold_no_timestamps(tmp_path):
    with Sandbox(data_dir=tmp_path) as sandbox:
        swift = sandbox.app.services["swift"]
        account = sandbox.app.state.demo["hubic"]["account"]
        headers, chunks = swift.open_object("main", account, "default", "datasets/sales.jsonl")
        lines = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
        record = swift.store.get_object("main", account, "default", "datasets/sales.csv")

    assert record.timestamp == SEED_TIME
    assert headers["Content-Type"] == "application/x-ndjson"
    assert len(lines) == 100
    assert all(set(line) == {"order_id", "date", "region", "product", "quantity", "unit_price", "total"} for line in lines)
    assert hashlib.md5(b"".join(json.dumps(line, sort_keys=True).encode() + b"\n" for line in lines)).hexdigest() == headers["Etag"]


def test_hubic_account_reports_its_quota(tmp_path):
    with Sandbox(data_dir=tmp_path) as sandbox:
        swift = sandbox.app.services["swift"]
        account = sandbox.app.state.demo["hubic"]["account"]
        token = swift.issue_token([("main", account)])

        response = requests.head(swift.storage_url("main", account), headers={"X-Auth-Token": token.value})

    assert response.headers["X-Account-Meta-Quota"] == "26843545600"
