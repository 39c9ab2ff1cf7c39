"""Fixtures of the conformance suite: one run per server, both sharing container names."""

from __future__ import annotations

import pytest

from .harness import REAL_SWIFT, SANDBOX, SessionRecord, Target


@pytest.fixture(scope="session")
def conformance_record() -> SessionRecord:
    return SessionRecord()


# The real Swift runs first, so the sandbox run of the same test reuses its observation.
@pytest.fixture(params=[REAL_SWIFT, SANDBOX])
def swift(request, conformance_record) -> Target:
    """The server under test, an authenticated raw client, and the test's container prefix."""
    return Target(request, request.param, conformance_record)
