"""Dask reads and writes Parquet data sets through swift:// on a two-process local cluster and the real Swift.

Each worker process rebuilds the file system from its pickle and signs in on its own,
without the account registry of this process.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ovhub_jupyter.core.accounts import REGISTRY, Account
from ovhub_jupyter.core.swift_auth import V1AuthProvider
from ovhub_jupyter.fs import SwiftFileSystem

dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
distributed = pytest.importorskip("distributed", reason="dask's distributed scheduler is not installed")

PARTS = 4
ROWS_PER_PART = 250


@pytest.fixture(scope="module")
def client():
    """A distributed client on two worker processes, listening on 127.0.0.1 only."""
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def part_frame(index: int) -> pd.DataFrame:
    start = index * ROWS_PER_PART
    return pd.DataFrame(
        {
            "id": range(start, start + ROWS_PER_PART),
            "part": [index] * ROWS_PER_PART,
            "value": [float(number) / 7 for number in range(start, start + ROWS_PER_PART)],
        }
    )


@pytest.fixture
def dataset(real_fs, real_options, container):
    """A data set of PARTS Parquet files under ``container/dataset/``; returns its URL."""
    for index in range(PARTS):
        part_frame(index).to_parquet(
            f"swift://{container}/dataset/part-{index}.parquet", index=False, storage_options=real_options
        )
    return f"swift://{container}/dataset/"


@pytest.fixture
def any_fs(real_fs):
    # The container fixture creates its container on the real Swift.
    return real_fs


def expected_frame() -> pd.DataFrame:
    return pd.concat([part_frame(index) for index in range(PARTS)], ignore_index=True)


def cached_file_systems() -> int:
    """Return how many swift:// file systems this process has built (run on each worker)."""
    from ovhub_jupyter.fs import SwiftFileSystem

    return len(SwiftFileSystem._cache)


def registered_accounts() -> list[str]:
    """Return the account names of this process's registry (run on each worker)."""
    from ovhub_jupyter.core.accounts import REGISTRY

    return REGISTRY.names()


def test_cluster_read_with_credentials(client, dataset, real_options):
    frame = dd.read_parquet(dataset, storage_options=real_options)

    result = frame.compute(scheduler=client).sort_values("id", ignore_index=True)

    pd.testing.assert_frame_equal(result, expected_frame(), check_dtype=False)
    assert frame.npartitions == PARTS
    assert all(count >= 1 for count in client.run(cached_file_systems).values())


def test_cluster_read_with_registry_account(client, dataset, real_swift):
    provider = V1AuthProvider(real_swift.auth_url, real_swift.user, real_swift.key)
    REGISTRY.register(Account(name="real-swift-test", kind="swift", endpoint=real_swift.auth_url, provider=provider))
    try:
        frame = dd.read_parquet(dataset, storage_options={"account": "real-swift-test"})
        result = frame.compute(scheduler=client).sort_values("id", ignore_index=True)
    finally:
        REGISTRY.remove("real-swift-test")

    pd.testing.assert_frame_equal(result, expected_frame(), check_dtype=False)
    assert all(names == [] for names in client.run(registered_accounts).values())


def test_filesystem_object_hides_key(client, dataset, real_options, real_swift):
    fs = SwiftFileSystem(**real_options)

    frame = dd.read_parquet(dataset, filesystem=fs)
    described = repr(frame.expr) + str(frame.dask) + repr(frame.expr.operands)
    total = frame["value"].sum().compute(scheduler=client)

    assert total == pytest.approx(expected_frame()["value"].sum())
    assert real_swift.key not in described


def test_to_parquet_from_cluster(client, dataset, real_fs, real_options, container):
    frame = dd.read_parquet(dataset, storage_options=real_options)
    doubled = frame.assign(value=frame["value"] * 2)

    doubled.to_parquet(f"swift://{container}/doubled/", storage_options=real_options, compute_kwargs={"scheduler": client})
    written = real_fs.find(f"{container}/doubled")
    back = pd.read_parquet(f"swift://{container}/doubled/", storage_options=real_options).sort_values("id", ignore_index=True)

    assert len([name for name in written if name.endswith(".parquet")]) == PARTS
    assert back["value"].tolist() == pytest.approx((expected_frame()["value"] * 2).tolist())
