"""Fixtures and helpers of the ``%swift`` tests (this module has no tests of its own).

``notebook`` is a real IPython shell signed in to the sandbox's accounts: ``hubic`` is
the default and ``swift`` the plain v1 account. ``real_notebook`` is the same shell with
the real Swift registered as the default account ``real``. ``any_notebook`` runs a test
on each. Their accounts retry with back-offs of milliseconds, so injected 503s and dropped
connections cost no time. Every container a test creates with ``new_container`` is
deleted afterwards, with its segments container.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.accounts import REGISTRY, Account
from ovhub_jupyter.core.http import RetryPolicy
from ovhub_jupyter.core.swift_auth import V1AuthProvider
from ovhub_jupyter.magics.base import MagicError

# Retries as many as the default, with back-offs of a few milliseconds.
FAST_RETRY = RetryPolicy(max_retries=5, backoff_initial=0.005, backoff_max=0.02, retry_after_max=0.1)


@dataclass
class Notebook:
    """A shell with the extension loaded and a Swift account to work on."""

    shell: Any
    kind: str  # "sandbox" or "real"
    account: str
    sandbox: Any = None
    created: list[tuple[str, str]] = field(default_factory=list)

    @property
    def magics(self) -> Any:
        return self.shell.magics_manager.registry["SwiftMagics"]

    @property
    def storage(self) -> Any:
        return REGISTRY.get(self.account).storage()

    def run(self, line: str) -> Any:
        """Run ``%swift line`` and return its result."""
        return self.shell.run_line_magic("swift", line)

    def cell(self, line: str, cell: str) -> Any:
        """Run a ``%%swift line`` cell and return its result."""
        return self.shell.run_cell_magic("swift", line, cell)

    def error(self, line: str) -> str:
        """Run ``%swift line``, which must fail with a one-line error; return that line."""
        with pytest.raises(MagicError) as raised:
            self.run(line)
        rendered = raised.value._render_traceback_()
        assert len(rendered) == 1
        assert "\n" not in rendered[0]
        return raised.value.args[0]

    def new_container(self, label: str = "t", account: str | None = None) -> str:
        """Create a container with a unique name; it is deleted after the test."""
        name = f"{label}-{uuid.uuid4().hex[:10]}"
        account = account or self.account
        REGISTRY.get(account).storage().create_container(name)
        self.created.append((account, name))
        return name

    def forget_later(self, container: str, account: str | None = None) -> None:
        """Delete ``container`` after the test (one the test created through the magic)."""
        self.created.append((account or self.account, container))

    def request_count(self) -> int:
        return self.sandbox.request_count()

    def cleanup(self) -> None:
        for account, name in self.created:
            storage = REGISTRY.get(account).storage()
            for container in (name, name + "_segments"):
                try:
                    storage.delete_container(container, empty=True)
                except errors.NotFoundError:
                    pass


def fast_retries(*names: str) -> None:
    for name in names:
        REGISTRY.get(name).storage().http.retry = FAST_RETRY


def object_fault_path(container: str, name: str | None = None) -> str:
    """Return a sandbox fault path matching the container (or one object) in any account."""
    pattern = f"^/v1/AUTH_[^/]+/{quote(container.encode('utf-8'), safe='/')}"
    if name is not None:
        pattern += "/" + quote(name.encode("utf-8"), safe="/")
    return pattern + r"(\?|$)"


def forget_settings(shell: Any) -> None:
    """Drop what %config set on SwiftMagics: the shell is a singleton, and its config
    would otherwise reach the SwiftMagics of the next test."""
    shell.config.pop("SwiftMagics", None)
    magics = shell.magics_manager.registry.get("SwiftMagics")
    if magics is not None:
        for name, trait in magics.traits(config=True).items():
            setattr(magics, name, trait.default_value)


@pytest.fixture
def notebook(shell, sandbox):
    forget_settings(shell)
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    fast_retries("hubic", "swift")
    book = Notebook(shell, "sandbox", "hubic", sandbox=sandbox)
    yield book
    sandbox.clear_faults()
    book.cleanup()
    forget_settings(shell)


@pytest.fixture
def real_notebook(shell, real_swift):
    forget_settings(shell)
    provider = V1AuthProvider(real_swift.auth_url, real_swift.user, real_swift.key)
    REGISTRY.register(Account(name="real", kind="swift", endpoint=real_swift.auth_url, provider=provider), make_default=True)
    fast_retries("real")
    book = Notebook(shell, "real", "real")
    yield book
    book.cleanup()
    forget_settings(shell)


@pytest.fixture(params=["sandbox", "real"])
def any_notebook(request):
    """The shell on the sandbox, then on the real Swift."""
    fixture = "notebook" if request.param == "sandbox" else "real_notebook"
    return request.getfixturevalue(fixture)
