"""Run one request sequence against a server and, for the sandbox, against the real Swift too.

A conformance test calls ``swift.conform(scenario)``. ``scenario`` takes a
``RawSwiftClient`` and returns an observation (a dict of normalized responses). On the
sandbox, the same scenario also runs against the real Swift, with the same container
names, and any difference fails the test with both observations side by side. The test
then asserts the documented facts on the observation, so the real Swift run checks the
case itself and the sandbox run is checked even where no real Swift is installed.

Each scenario runs at most once on each server: the real Swift's observation is kept for
the session and shared by the two parametrized runs of a test.
"""

from __future__ import annotations

import copy
import secrets
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from .client import RawSwiftClient
from .observe import mismatch_report

Scenario = Callable[[RawSwiftClient], dict[str, Any]]

SANDBOX = "sandbox"
REAL_SWIFT = "real_swift"


@dataclass
class ScenarioFailure:
    """A scenario that raised on the real Swift: kept so the other run does not repeat it."""

    text: str


@dataclass
class SessionRecord:
    """Per-session bookkeeping shared by every conformance test."""

    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    prefixes: dict[tuple, str] = field(default_factory=dict)
    real_observations: dict[tuple, Any] = field(default_factory=dict)

    def prefix_for(self, key: tuple) -> str:
        """Return the container prefix of one test, the same for both servers."""
        if key not in self.prefixes:
            self.prefixes[key] = f"cf{self.tag}-{len(self.prefixes):03d}-"
        return self.prefixes[key]


class Target:
    """The server one parametrized run talks to, with the helpers a conformance test uses."""

    def __init__(self, request: pytest.FixtureRequest, server: str, record: SessionRecord) -> None:
        self.request = request
        self.server = server
        self.record = record
        self.key = case_key(request)
        self.prefix = record.prefix_for(self.key)
        self.client = make_client(request, server, self.prefix)
        self._calls = 0

    def __repr__(self) -> str:
        return f"Target({self.server})"

    def conform(self, scenario: Scenario) -> dict[str, Any]:
        """Run ``scenario`` here; on the sandbox also compare with the real Swift.

        Return this server's observation for the test's own assertions.
        """
        call_key = (*self.key, self._calls)
        self._calls += 1

        if self.server == REAL_SWIFT:
            return self._real_observation(call_key, self.client, scenario)

        observed = scenario(self.client)
        if call_key in self.record.real_observations:
            expected = self._real_observation(call_key, None, scenario)
        else:
            reference_client = self._real_client()
            if reference_client is None:
                return observed
            expected = self._real_observation(call_key, reference_client, scenario)
        if observed != expected:
            pytest.fail(mismatch_report(scenario.__name__, "real Swift", expected, "sandbox", observed), pytrace=False)
        return observed

    # -- the real Swift's side -------------------------------------------------------------

    def _real_observation(self, call_key: tuple, client: RawSwiftClient | None, scenario: Scenario) -> Any:
        stored = self.record.real_observations.get(call_key)
        if stored is None:
            try:
                stored = scenario(client)
            except Exception:
                stored = ScenarioFailure(traceback.format_exc())
                self.record.real_observations[call_key] = stored
                raise
            self.record.real_observations[call_key] = stored
        if isinstance(stored, ScenarioFailure):
            pytest.fail(f"the scenario failed on the real Swift, so it cannot be compared:\n{stored.text}", pytrace=False)
        # A copy, so a test that edits its observation leaves the stored one intact.
        return copy.deepcopy(stored)

    def _real_client(self) -> RawSwiftClient | None:
        """Return a client of the real Swift for comparisons, or None when it is not installed."""
        from tests.realswift import missing_reason

        if missing_reason():
            return None
        return make_client(self.request, REAL_SWIFT, self.prefix)


def case_key(request: pytest.FixtureRequest) -> tuple:
    """Identify a test apart from the server it runs on, so both runs share names."""
    node = request.node
    params = getattr(getattr(node, "callspec", None), "params", {})
    other = tuple(sorted((name, repr(value)) for name, value in params.items() if name != "swift"))
    return (node.module.__name__, node.originalname, other)


def make_client(request: pytest.FixtureRequest, server: str, prefix: str) -> RawSwiftClient:
    """Start (or reuse) ``server`` through its fixture and return an authenticated client."""
    if server == SANDBOX:
        sandbox = request.getfixturevalue("sandbox")
        # The real Swift fixture lists 1000 names a page; the sandbox must page the same way.
        sandbox.update_settings(container_listing_limit=1000, account_listing_limit=1000)
        swift = sandbox.config["swift"]
        client = RawSwiftClient(SANDBOX, swift["auth_url"], swift["user"], swift["key"], prefix)
    else:
        real = request.getfixturevalue("real_swift")
        client = RawSwiftClient(REAL_SWIFT, real.auth_url, real.user, real.key, prefix)
    response = client.authenticate()
    if response.status_code != 200:
        pytest.fail(f"v1 auth against the {server} failed with {response.status_code}: {response.text[:300]}", pytrace=False)
    request.addfinalizer(client.close)
    return client
