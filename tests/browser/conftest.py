"""Fixtures of the browser tests: a JupyterLab server, Debian's chromium, and failure artifacts.

Each test gets a fresh browser context whose requests may go to loopback hosts only
(anything else is aborted and recorded). When a test fails, a screenshot of each open
page, the pages' console messages and the server's log are saved under
``tests/artifacts/<test name>/``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import lab
from tests.browser.lab import JupyterLab, chromium_path

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"

# Hosts the browser may load from: JupyterLab, the sandbox and the callback server.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

# Flags for a headless chromium on a closed network, where background services would
# only wait for connections that never come.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Milliseconds for each page step: loading JupyterLab, starting a kernel, a sign-in.
# Generous, because CI runs the browser tests next to the rest of the suite.
PAGE_TIMEOUT_MS = 90_000

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def missing_component() -> str | None:
    """Return why the browser tests cannot run here, or None when they can."""
    if chromium_path() is None:
        return f"Debian's chromium is not installed at {lab.CHROMIUM} (apt-get install chromium)"
    for module, package in (("playwright", "playwright"), ("jupyterlab", "jupyterlab")):
        if importlib.util.find_spec(module) is None:
            return f"the Python package {package} is not installed (pip install -e '.[test]')"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell when the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory) -> Iterator[JupyterLab]:
    reason = missing_component()
    if reason:
        pytest.skip(reason)
    server = JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(jupyter_lab) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # expect() has its own timeout of 5 s, which a loaded machine can exceed.
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def without_query(url: str) -> str:
    """Return ``url`` without its query and fragment, where codes and tokens travel."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class PageLog:
    """Console messages, page errors, navigations and blocked requests of every page in a context."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.blocked: list[str] = []
        self.pages = 0

    def watch(self, page: Any) -> None:
        label = f"page {self.pages}"
        self.pages += 1
        self.lines.append(f"{label}: opened")
        page.on("console", lambda message: self.lines.append(f"{label}: [{message.type}] {message.text}"))
        page.on("pageerror", lambda error: self.lines.append(f"{label}: [pageerror] {error}"))
        page.on("framenavigated", lambda frame: self._navigated(label, page, frame))

    def _navigated(self, label: str, page: Any, frame: Any) -> None:
        if frame == page.main_frame:
            self.lines.append(f"{label}: [navigated] {without_query(frame.url)}")


@pytest.fixture
def lab_context(request, chromium, jupyter_lab) -> Iterator[tuple[Any, PageLog]]:
    """A fresh browser context limited to loopback; saves artifacts when the test fails."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    log = PageLog()

    def only_loopback(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK_HOSTS:
            route.continue_()
            return
        log.blocked.append(without_query(route.request.url))
        route.abort("blockedbyclient")

    context.route("**/*", only_loopback)
    context.on("page", log.watch)
    try:
        yield context, log
    finally:
        reports = request.node.stash.get(_reports, {})
        if any(report.failed for report in reports.values()):
            save_artifacts(request.node.name, context, log, jupyter_lab)
        context.close()


def save_artifacts(test_name: str, context: Any, log: PageLog, server: JupyterLab) -> None:
    """Save a screenshot of each page, the console log and the server log for a failed test."""
    folder = ARTIFACTS_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(context.pages):
        try:
            page.screenshot(path=str(folder / f"page-{index}.png"), full_page=True, timeout=15_000)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's failure
            log.lines.append(f"[artifacts] no screenshot of page {index}: {exc}")
    blocked = [f"[blocked] {url}" for url in log.blocked]
    (folder / "console.log").write_text("\n".join(log.lines + blocked) + "\n", encoding="utf-8")
    (folder / "jupyterlab.log").write_text(server.log_text(), encoding="utf-8")
