"""%ovh --expand: concurrent fetches, the progress bar, and items that fail."""

from __future__ import annotations

import pytest

from ovhub_jupyter.magics.base import MagicError


@pytest.fixture
def ip(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    return shell


def test_slow_expand_shows_progress_and_keeps_failed_item(ip, sandbox, capsys):
    ids = ip.run_line_magic("ovh", "GET /me/bill")["bill"].tolist()
    failing = ids[4]
    # The first matching rule acts, so the failing item gets its 404 and no delay.
    sandbox.add_fault(f"/1.0/me/bill/{failing}", status=404)
    sandbox.add_fault("/1.0/me/bill/", action="delay", delay=0.3, count=len(ids) - 1)
    # One at a time: eleven delayed items keep the fetch well past the bar's one-second delay.
    ip.run_line_magic("config", "OvhMagics.expand_concurrency = 1")
    try:
        bills = ip.run_line_magic("ovh", "GET /me/bill --expand")
    finally:
        ip.run_line_magic("config", "OvhMagics.expand_concurrency = 8")

    err = capsys.readouterr().err
    failed = bills[bills["error"].notna()]
    assert bills["bill"].tolist() == ids
    assert failed["bill"].tolist() == [failing]
    assert "HTTP 404" in failed["error"].iloc[0]
    assert bills["billId"].notna().sum() == len(ids) - 1
    assert list(bills.columns)[-1] == "error"
    assert f"{len(ids)} of {len(ids)} items" in err
    assert "GET /me/bill/{id}" in err
    assert f"1 of {len(ids)} items failed" in err
    assert failing in err


def test_fast_expand_shows_no_progress(ip, capsys):
    bills = ip.run_line_magic("ovh", "GET /me/bill --expand")

    err = capsys.readouterr().err
    assert len(bills) == 12
    assert "items" not in err


def test_progress_can_be_turned_off(ip, sandbox, capsys):
    sandbox.add_fault("/1.0/me/bill/", action="delay", delay=0.3, count=12)
    ip.run_line_magic("config", "OvhMagics.expand_concurrency = 1")
    ip.run_line_magic("config", "OvhMagics.progress = False")
    try:
        bills = ip.run_line_magic("ovh", "GET /me/bill --expand")
    finally:
        ip.run_line_magic("config", "OvhMagics.expand_concurrency = 8")
        ip.run_line_magic("config", "OvhMagics.progress = True")

    assert len(bills) == 12
    assert "items" not in capsys.readouterr().err


def test_expand_where_every_item_fails_raises(ip, sandbox):
    sandbox.add_fault("/1.0/me/bill/", status=404, count=12)

    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("ovh", "GET /me/bill --expand")

    assert "HTTP 404" in raised.value._render_traceback_()[0]


def test_expand_needs_list_of_ids(ip):
    with pytest.raises(MagicError, match="--expand needs a list of ids, but GET /me returned an object"):
        ip.run_line_magic("ovh", "GET /me --expand")


def test_expand_raw_returns_items(ip):
    bills = ip.run_line_magic("ovh", "GET /me/bill --expand --raw")

    assert len(bills) == 12
    assert all(isinstance(bill, dict) and "billId" in bill for bill in bills)


def test_expand_of_empty_list_is_empty_frame(ip):
    bills = ip.run_line_magic("ovh", "GET /me/bill date.from=2999-01-01 --expand")

    assert bills.empty
    assert list(bills.columns) == ["bill"]
