"""Fixtures shared by the whole suite: the sandbox, started once and cleaned after each test."""

from __future__ import annotations

import pytest

from ovhub_jupyter.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox_session(tmp_path_factory):
    with Sandbox(data_dir=tmp_path_factory.mktemp("sandbox-data")) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_session):
    """The session's sandbox, with faults, clock shift and settings undone after the test.

    Stored data and issued tokens are kept between tests; call ``sandbox.reset()`` in a
    test that needs the seeded data exactly.
    """
    yield sandbox_session
    sandbox_session.clear_faults()
    sandbox_session.shift_clock(0)
    sandbox_session.control("POST", "settings", _default_settings())


def _default_settings():
    from ovhub_jupyter.sandbox.state import DEFAULT_SETTINGS

    return dict(DEFAULT_SETTINGS)


@pytest.fixture(scope="session")
def real_swift(tmp_path_factory):
    """A real OpenStack Swift on loopback (listing limit 1000), or a skip that says what is missing."""
    from tests.realswift import RealSwift, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with RealSwift(tmp_path_factory.mktemp("real-swift")) as swift:
        yield swift
