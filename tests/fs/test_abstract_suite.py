"""fsspec's own abstract test suite (copy, get, put, open, pipe) against the sandbox's Swift.

The fixtures follow fsspec's memory file system tests: ``fs``, ``fs_join`` and
``fs_path`` are all a suite needs. Each class works in a fresh container.
"""

from __future__ import annotations

import fsspec.tests.abstract as abstract
import pytest

from ovhub_jupyter.fs import SwiftFileSystem

from .conftest import Containers


class SandboxSwiftFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, sandbox_options):
        return SwiftFileSystem(skip_instance_cache=True, **sandbox_options)

    @pytest.fixture
    def fs_join(self):
        return lambda *parts: "/".join(parts)

    @pytest.fixture
    def fs_path(self, fs):
        containers = Containers(fs)
        yield containers.new("abstract")
        containers.cleanup()

    @pytest.fixture
    def supports_empty_directories(self):
        # mkdir writes a directory marker, so an empty folder exists.
        return True


class TestSwiftCopy(abstract.AbstractCopyTests, SandboxSwiftFixtures):
    pass


class TestSwiftGet(abstract.AbstractGetTests, SandboxSwiftFixtures):
    pass


class TestSwiftPut(abstract.AbstractPutTests, SandboxSwiftFixtures):
    pass


class TestSwiftOpen(abstract.AbstractOpenTests, SandboxSwiftFixtures):
    pass


class TestSwiftPipe(abstract.AbstractPipeTests, SandboxSwiftFixtures):
    pass
