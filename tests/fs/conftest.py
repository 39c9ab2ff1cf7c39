"""Fixtures of the file system tests: ``swift://`` and ``hubic://`` file systems on the sandbox and the real Swift.

Each file system is built with ``skip_instance_cache=True``, so a test starts with an
empty listing cache, and each test container is deleted, with its segments, afterwards.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.account_sources import forget_sandbox_accounts, register_sandbox_accounts
from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.fs import HubicFileSystem, SwiftFileSystem


def v1_options(auth_url: str, user: str, key: str, **extra: Any) -> dict[str, Any]:
    """Return the storage options of a v1-auth account."""
    return {"auth_url": auth_url, "user": user, "key": key, **extra}


@pytest.fixture
def sandbox_options(sandbox) -> dict[str, Any]:
    """Storage options of the sandbox's plain Swift account (v1 auth)."""
    config = sandbox.config["swift"]
    return v1_options(config["auth_url"], config["user"], config["key"])


@pytest.fixture
def real_options(real_swift) -> dict[str, Any]:
    """Storage options of the real Swift's test account (v1 auth)."""
    return v1_options(real_swift.auth_url, real_swift.user, real_swift.key)


@pytest.fixture
def sandbox_accounts(sandbox):
    """The sandbox's accounts in the process registry (``hubic`` the default), removed afterwards."""
    register_sandbox_accounts(REGISTRY, sandbox.config)
    yield REGISTRY
    forget_sandbox_accounts(REGISTRY)


class Containers:
    """Creates containers with unique names and deletes them, with their segments, at the end."""

    def __init__(self, fs: SwiftFileSystem) -> None:
        self.fs = fs
        self.created: list[str] = []

    def new(self, label: str = "fs") -> str:
        name = f"{label}-{uuid.uuid4().hex[:10]}"
        self.fs.storage.create_container(name)
        self.created.append(name)
        return name

    def cleanup(self) -> None:
        for name in self.created:
            for container in (name, name + "_segments"):
                try:
                    self.fs.storage.delete_container(container, empty=True)
                except errors.NotFoundError:
                    pass


@pytest.fixture
def swift_fs(sandbox_options) -> SwiftFileSystem:
    """A ``swift://`` file system on the sandbox's plain Swift account."""
    return SwiftFileSystem(skip_instance_cache=True, **sandbox_options)


@pytest.fixture
def real_fs(real_options) -> SwiftFileSystem:
    """A ``swift://`` file system on the real Swift."""
    return SwiftFileSystem(skip_instance_cache=True, **real_options)


@pytest.fixture
def hubic_fs(sandbox_accounts) -> HubicFileSystem:
    """A ``hubic://`` file system on the sandbox's hubiC account, through the registry."""
    return HubicFileSystem()


@pytest.fixture(params=["sandbox", "real"])
def any_fs(request) -> SwiftFileSystem:
    """A ``swift://`` file system on each server in turn: the sandbox, then the real Swift."""
    return request.getfixturevalue(f"{'swift' if request.param == 'sandbox' else 'real'}_fs")


@pytest.fixture
def container(any_fs):
    """A new container on ``any_fs``'s server, deleted after the test."""
    containers = Containers(any_fs)
    yield containers.new()
    containers.cleanup()


@pytest.fixture
def sandbox_container(swift_fs):
    """A new container on the sandbox's plain Swift account, deleted after the test."""
    containers = Containers(swift_fs)
    yield containers.new()
    containers.cleanup()
