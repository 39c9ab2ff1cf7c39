"""pandas reads and writes CSV and Parquet through swift:// and hubic:// URLs."""

from __future__ import annotations

import uuid

import fsspec
import pandas as pd
import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.fs import HubicFileSystem, SwiftFileSystem


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["Roubaix", "Gravelines", "Strasbourg", "Beauharnois"],
            "racks": [120, 80, 45, 200],
            "load": [0.5, 0.25, 0.75, 1.0],
        }
    )


@pytest.fixture
def scratch_name():
    """A unique folder name, so runs do not see each other's files."""
    return f"pandas-{uuid.uuid4().hex[:8]}"


def test_csv_and_parquet_with_storage_options(sandbox_options, sandbox_container):
    frame = sample_frame()
    base = f"swift://{sandbox_container}"

    frame.to_csv(f"{base}/out/cities.csv", index=False, storage_options=sandbox_options)
    frame.to_parquet(f"{base}/out/cities.parquet", storage_options=sandbox_options)
    from_csv = pd.read_csv(f"{base}/out/cities.csv", storage_options=sandbox_options)
    from_parquet = pd.read_parquet(f"{base}/out/cities.parquet", storage_options=sandbox_options)

    pd.testing.assert_frame_equal(from_csv, frame)
    pd.testing.assert_frame_equal(from_parquet, frame)


def test_default_account_serves_plain_urls(sandbox_accounts, scratch_name):
    frame = sample_frame()
    path = f"default/{scratch_name}/cities.parquet"
    REGISTRY.set_default("hubic")
    try:
        frame.to_parquet(f"swift://{path}")
        from_swift = pd.read_parquet(f"swift://{path}")
        from_hubic = pd.read_parquet(f"hubic://{path}")
    finally:
        HubicFileSystem().rm(f"default/{scratch_name}", recursive=True)

    pd.testing.assert_frame_equal(from_swift, frame)
    pd.testing.assert_frame_equal(from_hubic, frame)


def test_hubic_seed_data_reads_as_frames(sandbox_accounts):
    sales_csv = pd.read_csv("hubic://default/datasets/sales.csv")
    sales_parquet = pd.read_parquet("hubic://default/datasets/sales.parquet")

    assert len(sales_csv) == 300
    assert list(sales_parquet.columns) == list(sales_csv.columns)
    assert sales_parquet["total"].sum() == pytest.approx(sales_csv["total"].sum())


def test_default_account_read_at_creation(sandbox_accounts):
    REGISTRY.set_default("hubic")
    on_hubic = fsspec.filesystem("swift")
    REGISTRY.set_default("swift")
    on_swift = fsspec.filesystem("swift")

    assert on_hubic.account_name == "hubic"
    assert on_swift.account_name == "swift"
    assert "default" in on_hubic.ls("", detail=False)
    assert "data" in on_swift.ls("", detail=False)
    assert pd.read_csv("swift://data/measurements.csv").shape == (144, 4)


def test_named_account_in_storage_options(sandbox_accounts, scratch_name):
    frame = sample_frame()
    options = {"account": "swift"}

    frame.to_csv(f"swift://data/{scratch_name}.csv", index=False, storage_options=options)
    try:
        read = pd.read_csv(f"swift://data/{scratch_name}.csv", storage_options=options)
    finally:
        SwiftFileSystem(account="swift").rm(f"data/{scratch_name}.csv")

    pd.testing.assert_frame_equal(read, frame)


def test_hubic_credentials_in_storage_options(sandbox):
    settings = sandbox.config["hubic"]
    options = {name: settings[name] for name in ("client_id", "client_secret", "refresh_token")}
    options["token_url"] = settings["token_url"]
    options["api_url"] = settings["api_url"]

    sales = pd.read_csv("hubic://default/datasets/sales.csv", storage_options=options)

    assert len(sales) == 300


def test_no_default_account_hint(monkeypatch):
    monkeypatch.setattr(REGISTRY, "_default", None)

    with pytest.raises(KeyError, match="ovhub sandbox"):
        pd.read_csv("swift://data/measurements.csv")


def test_unknown_account_names_known_ones(sandbox_accounts):
    with pytest.raises(KeyError, match="Known accounts: hubic"):
        pd.read_csv("swift://data/measurements.csv", storage_options={"account": "nobody"})


def test_misspelled_option_is_rejected():
    with pytest.raises(ValueError, match="unknown storage option tokne"):
        SwiftFileSystem(storage_url="http://127.0.0.1:9/v1/AUTH_x", tokne="t")
