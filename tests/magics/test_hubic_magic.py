"""%hubic in a real IPython shell, against the sandbox's hubiC API."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import requests

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.magics.base import MagicError

README = "Documents/readme.txt"


@pytest.fixture
def ip(shell, sandbox):
    """The shell with the sandbox's accounts registered."""
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    return shell


@pytest.fixture
def published(ip):
    """Unpublish, after the test, every link the test left."""
    yield
    for uri in ip.run_line_magic("hubic", "links")["uri"].tolist():
        ip.run_line_magic("hubic", f"unpublish {uri}")


def error_line(raised: pytest.ExceptionInfo[MagicError]) -> str:
    rendered = raised.value._render_traceback_()
    assert len(rendered) == 1
    return rendered[0]


def test_account_is_one_row(ip, sandbox):
    account = ip.run_line_magic("hubic", "account")

    assert len(account) == 1
    assert list(account.columns)[:5] == ["email", "firstname", "lastname", "status", "creationDate"]
    assert account.loc[0, "email"] == sandbox.config["hubic"]["email"]
    assert account.loc[0, "status"] == "ok"
    assert account.loc[0, "creationDate"] == pd.Timestamp("2013-06-22T18:19:42Z")


def test_usage_adds_free_and_percent(ip):
    usage = ip.run_line_magic("hubic", "usage")

    row = usage.iloc[0]
    assert list(usage.columns) == ["quota", "used", "free", "percent"]
    assert row["quota"] == 25 * 1024**3
    assert row["used"] > 0
    assert row["free"] == row["quota"] - row["used"]
    assert row["percent"] == pytest.approx(100 * row["used"] / row["quota"], abs=0.01)


def test_publish_lists_and_unpublishes_link(ip, published, capsys):
    link = ip.run_line_magic("hubic", f"publish default/{README} --ttl 10 --comment 'for Alice'")
    listed = ip.run_line_magic("hubic", "links")
    page = requests.get(link.loc[0, "indirectUrl"], timeout=30)
    ip.run_line_magic("hubic", f"unpublish /{README}")
    after = ip.run_line_magic("hubic", "links")

    assert link.loc[0, "uri"] == f"/{README}"
    assert link.loc[0, "container"] == "default"
    assert link.loc[0, "comment"] == "for Alice"
    assert link.loc[0, "expirationDate"] - link.loc[0, "creationDate"] == pd.Timedelta(days=10)
    assert listed["uri"].tolist() == [f"/{README}"]
    assert listed.loc[0, "indirectUrl"] == link.loc[0, "indirectUrl"]
    assert listed.loc[0, "ttl"] == 10
    assert "Welcome to the ovhub_jupyter sandbox." in page.text
    assert after.empty
    assert f"Unpublished /{README}" in capsys.readouterr().out


def test_publish_default_ttl_is_configurable(ip, published):
    ip.run_line_magic("config", "HubicMagics.link_ttl = 1")
    try:
        link = ip.run_line_magic("hubic", f"publish default/{README}")
    finally:
        ip.run_line_magic("config", "HubicMagics.link_ttl = 5")

    assert link.loc[0, "expirationDate"] - link.loc[0, "creationDate"] == pd.Timedelta(days=1)


def test_unpublish_takes_uri_without_slash(ip, published):
    ip.run_line_magic("hubic", f"publish default/{README}")

    ip.run_line_magic("hubic", f"unpublish {README}")

    assert ip.run_line_magic("hubic", "links").empty


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"publish default/{README} --ttl 3", "invalid link lifetime '3' days"),
        (f"publish default/{README} --ttl week", "invalid link lifetime 'week' days"),
        ("publish default", "expected CONTAINER/OBJECT"),
        ("publish /Documents/readme.txt", "expected CONTAINER/OBJECT"),
        ("publish", "the following arguments are required: CONTAINER/OBJECT"),
        ("bogus", "invalid choice: 'bogus'"),
    ],
)
def test_bad_publish_is_rejected_before_request(ip, sandbox, line, message):
    before = sandbox.request_count()

    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("hubic", line)

    assert message in error_line(raised)
    assert sandbox.request_count() == before


def test_bad_default_ttl_is_rejected_before_request(ip, sandbox):
    before = sandbox.request_count()
    ip.run_line_magic("config", "HubicMagics.link_ttl = 7")
    try:
        with pytest.raises(MagicError, match="invalid link lifetime 7 days"):
            ip.run_line_magic("hubic", f"publish default/{README}")
    finally:
        ip.run_line_magic("config", "HubicMagics.link_ttl = 5")

    assert sandbox.request_count() == before


def test_publish_missing_object_is_404(ip):
    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("hubic", "publish default/no/such/file.txt")

    assert "HTTP 404" in error_line(raised)


def test_unpublish_unknown_link_is_404(ip):
    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("hubic", "unpublish /never-published.txt")

    assert "HTTP 404" in error_line(raised)
    assert "/never-published.txt" in error_line(raised)


def test_credentials_mask_token(ip, sandbox):
    credentials = ip.run_line_magic("hubic", "credentials")

    assert list(credentials.columns) == ["storage_url", "token", "expires"]
    assert credentials.loc[0, "storage_url"].startswith(f"{sandbox.url}/v1/AUTH_")
    assert credentials.loc[0, "token"].endswith("…")
    assert len(credentials.loc[0, "token"]) == 5
    assert credentials.loc[0, "expires"] > pd.Timestamp.now(tz="UTC")


def test_scopes_list_granted_rights(ip):
    scopes = ip.run_line_magic("hubic", "scopes").set_index("scope")

    assert scopes.loc["credentials", "granted"] == "r"
    assert scopes.loc["links", "rights"] == "drw"


def test_out_stores_variable(ip, sandbox):
    returned = ip.run_line_magic("hubic", "account --out me")

    assert returned is None
    assert ip.user_ns["me"].loc[0, "email"] == sandbox.config["hubic"]["email"]


def test_account_of_other_kind_rejected(ip):
    with pytest.raises(MagicError, match="'swift' \\(swift\\) is not a hubiC account"):
        ip.run_line_magic("hubic", "usage --account swift")


def test_missing_default_account_names_next_step(shell):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("hubic", "usage")

    assert "no hubiC account named 'hubic'" in error_line(raised)
    assert "%hubic_login" in error_line(raised)


def test_help_prints_examples(ip, capsys):
    ip.run_line_magic("hubic", "--help")

    out = capsys.readouterr().out
    assert "%hubic publish default/Documents/readme.txt --ttl 5" in out
    assert "%hubic unpublish" in out


def test_config_lists_settings(ip, capsys):
    ip.run_line_magic("config", "HubicMagics")

    out = capsys.readouterr().out
    assert "link_ttl" in out
    assert "short_errors" in out


def test_no_secret_in_results_output_or_logs(ip, sandbox, published, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    config = sandbox.config

    results = [ip.run_line_magic("hubic", command) for command in ("account", "usage", "credentials", "scopes")]
    results.append(ip.run_line_magic("hubic", f"publish default/{README}"))
    results.append(ip.run_line_magic("hubic", "links"))
    sandbox.expire_tokens()
    results.append(ip.run_line_magic("hubic", "credentials"))

    access_token = REGISTRY.get("hubic").client.get_access_token()

    texts = [result.to_string() for result in results]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    assert "refreshing it" in caplog.text
    for secret in (
        access_token,
        config["hubic"]["client_secret"],
        config["hubic"]["refresh_token"],
        config["hubic"]["password"],
        config["ovh"]["application_secret"],
        config["ovh"]["consumer_key"],
        config["swift"]["key"],
    ):
        for text in texts:
            assert secret not in text


def test_account_option_before_subcommand(shell, sandbox):
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")

    before = shell.run_line_magic("hubic", "--account hubic usage")
    after = shell.run_line_magic("hubic", "usage --account hubic")

    assert before.to_dict() == after.to_dict()
