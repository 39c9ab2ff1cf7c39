"""Pure functions of the hubiC client: scopes, redirects, expiry, input checks, configuration."""

from __future__ import annotations

import os
import pickle
import stat
from urllib.parse import parse_qs, urlsplit

import pytest

from ovhub_jupyter.core import errors, hubic
from ovhub_jupyter.core.oauth_callback import AuthorizationResult

CLIENT_SECRET = "client-secret-0123456789abcdef"
REFRESH_TOKEN = "refresh-token-0123456789abcdef"


def make_app(**overrides):
    values = {"client_id": "api_hubic_test", "client_secret": CLIENT_SECRET}
    values.update(overrides)
    return hubic.HubicApp(**values)


# -- scopes -------------------------------------------------------------------------------


def test_default_scope_is_full_set():
    assert hubic.DEFAULT_SCOPE == (
        "usage.r,account.r,getAllLinks.r,credentials.r,sponsorCode.r,activate.w,sponsored.r,links.drw"
    )


def test_scope_from_perimeters():
    assert hubic.normalize_scope({"credentials": "r", "links": "wrd"}) == "credentials.r,links.drw"


def test_scope_string_round_trips():
    assert hubic.normalize_scope("credentials.r, links.rw") == "credentials.r,links.rw"


@pytest.mark.parametrize("scope", ["credentials", "credentials.x", "nosuch.r", "links.", {}])
def test_invalid_scope_rejected(scope):
    with pytest.raises(errors.InvalidInputError):
        hubic.normalize_scope(scope)


# -- authorize URL and redirects --------------------------------------------------------------


def test_authorize_url_carries_oauth_parameters():
    app = make_app(redirect_uri="http://localhost:5000/cb", auth_url="http://127.0.0.1:9/hubic/oauth/auth/")
    request = hubic.start_authorization(app, {"credentials": "r"})

    parts = urlsplit(request.url)
    query = parse_qs(parts.query)
    assert parts.path == "/hubic/oauth/auth/"
    assert query["client_id"] == ["api_hubic_test"]
    assert query["redirect_uri"] == ["http://localhost:5000/cb"]
    assert query["scope"] == ["credentials.r"]
    assert query["response_type"] == ["code"]
    assert query["state"] == [request.state]
    assert CLIENT_SECRET not in request.url


def test_authorization_state_is_random():
    app = make_app()
    assert hubic.start_authorization(app).state != hubic.start_authorization(app).state


def test_redirect_url_gives_code():
    result = hubic.parse_redirect("http://localhost:53682/?code=abc123&scope=credentials.r&state=S1", "S1")
    assert result.code == "abc123"
    assert result.scope == "credentials.r"


def test_redirect_query_string_gives_code():
    assert hubic.parse_redirect("?code=abc123&state=S1", "S1").code == "abc123"


def test_bare_code_accepted():
    assert hubic.parse_redirect("  abc123==\n", "S1").code == "abc123=="


def test_redirect_with_wrong_state_rejected():
    with pytest.raises(errors.InvalidInputError, match="state does not match"):
        hubic.parse_redirect("http://localhost:53682/?code=abc123&state=OTHER", "S1")


def test_redirect_without_state_rejected():
    with pytest.raises(errors.InvalidInputError, match="no state"):
        hubic.parse_redirect("http://localhost:53682/?code=abc123", "S1")


def test_redirect_error_raised_with_description():
    url = "http://localhost:53682/?error=unauthorized_client&error_description=please+verify+credentials&state=S1"
    with pytest.raises(errors.AuthenticationError) as caught:
        hubic.parse_redirect(url, "S1")
    assert "please verify credentials" in str(caught.value)
    assert caught.value.code == "unauthorized_client"


def test_redirect_access_denied_is_permission_error():
    with pytest.raises(PermissionError):
        hubic.parse_redirect("http://localhost:53682/?error=access_denied&state=S1", "S1")


@pytest.mark.parametrize("text", ["", "   ", "two words", "http://localhost:53682/"])
def test_unusable_paste_rejected(text):
    with pytest.raises(errors.InvalidInputError):
        hubic.parse_redirect(text, "S1")


def test_authorization_result_repr_hides_code():
    result = AuthorizationResult(code="secretcode0123456789")
    assert "secretcode0123456789" not in repr(result)


# -- expiry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-06-12T11:10:23+02:00", 1497258623.0),
        ("2017-01-12T11:10:23+01:00", 1484215823.0),
        ("2017-06-12T09:10:23Z", 1497258623.0),
        ("2017-01-12T11:10:23", 1484215823.0),
        (1497258623, 1497258623.0),
        ("1497258623", 1497258623.0),
    ],
)
def test_expiry_parsed_to_unix_time(value, expected):
    assert hubic.parse_expiry(value) == expected


@pytest.mark.parametrize("value", [None, "", "tomorrow", True])
def test_unreadable_expiry_is_none(value):
    assert hubic.parse_expiry(value) is None


# -- input checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ttl", [1, 5, 10, 15, 20, 25, 30, "5"])
def test_link_ttl_accepted(ttl):
    assert hubic.check_link_ttl(ttl) == int(ttl)


@pytest.mark.parametrize("ttl", [0, 2, 31, -5, True, 5.0, "five", None])
def test_link_ttl_rejected(ttl):
    with pytest.raises(errors.InvalidInputError, match="1, 5, 10, 15, 20, 25, 30"):
        hubic.check_link_ttl(ttl)


def test_object_path_gets_leading_slash():
    assert hubic.check_object_path("folder//été.txt") == "/folder//été.txt"


@pytest.mark.parametrize("path", ["", "/", "//", "a\nb", None, "x" * 1100])
def test_invalid_object_path_rejected(path):
    with pytest.raises(errors.InvalidInputError):
        hubic.check_object_path(path)


@pytest.mark.parametrize("container", ["", "a/b", None, "a\x00b"])
def test_invalid_container_rejected(container):
    with pytest.raises(errors.InvalidInputError):
        hubic.check_container(container)


def test_link_path_encodes_slashes():
    assert hubic.link_path("/dir/été file.txt") == "/account/links/%2Fdir%2F%C3%A9t%C3%A9%20file.txt"


# -- consent page ------------------------------------------------------------------------------------

CONSENT_PAGE = """
<html><body>
<form method="post" action="">
  <input type="hidden" name="oauth" value="812345">
  <input type="checkbox" name="credentials" value="r" checked>
  <input type="checkbox" name="links" value="r" checked>
  <input type="checkbox" name="links" value="w">
  <input type="checkbox" name="links" value="d">
  <input type="checkbox" name="usage" value="r">
  <input type="text" name="login"><input type="password" name="user_pwd">
  <button type="submit" name="action" value="accepted">Accept</button>
</form>
<div class="alert text-error"><b>Authentication failed</b>, please check your credentials</div>
</body></html>
"""


def test_consent_page_gives_form_and_error():
    form = hubic.parse_consent_page(CONSENT_PAGE)
    assert form.oauth == "812345"
    assert form.error_messages == ["Authentication failed, please check your credentials"]


def test_consent_fields_follow_requested_scope():
    form = hubic.parse_consent_page(CONSENT_PAGE)
    fields = hubic.consent_fields(form, "credentials.r,links.drw", "me@example.com", "pw")

    assert ("oauth", "812345") in fields
    assert ("credentials", "r") in fields
    assert [value for name, value in fields if name == "links"] == ["r", "w", "d"]
    assert ("usage", "r") not in fields
    assert fields[-3:] == [("action", "accepted"), ("login", "me@example.com"), ("user_pwd", "pw")]


def test_consent_fields_without_scope_inputs_use_request():
    form = hubic.parse_consent_page('<form><input type="hidden" name="oauth" value="7"></form>')
    fields = hubic.consent_fields(form, "credentials.r,links.rw", "me@example.com", "pw")
    assert ("credentials", "r") in fields
    assert ("links", "r") in fields
    assert ("links", "w") in fields


# -- configuration ---------------------------------------------------------------------------------


def test_app_repr_shows_secret_prefix_only():
    text = repr(make_app())
    assert CLIENT_SECRET not in text
    assert "api_hubic_test" in text


def test_client_repr_shows_prefixes_only():
    client = hubic.HubicClient(make_app(), REFRESH_TOKEN)
    try:
        assert REFRESH_TOKEN not in repr(client)
        assert CLIENT_SECRET not in repr(client)
        assert REFRESH_TOKEN not in repr(client.swift_provider())
    finally:
        client.close()


def test_tokens_repr_hides_tokens():
    tokens = hubic.Tokens(access_token="access-0123456789", refresh_token=REFRESH_TOKEN, expires_at=0.0)
    assert "access-0123456789" not in repr(tokens)
    assert REFRESH_TOKEN not in repr(tokens)


def test_missing_client_id_rejected():
    with pytest.raises(errors.InvalidInputError, match="client id"):
        make_app(client_id="")


def test_config_values_skip_default_urls():
    values = hubic.config_values(make_app(), REFRESH_TOKEN)
    assert values["refresh_token"] == REFRESH_TOKEN
    assert values["api_url"] is None
    assert values["scope"] is None


def test_config_values_keep_other_server():
    app = make_app(api_url="http://127.0.0.1:9/hubic/1.0", scope="credentials.r")
    values = hubic.config_values(app, REFRESH_TOKEN)
    assert values["api_url"] == "http://127.0.0.1:9/hubic/1.0"
    assert values["scope"] == "credentials.r"


@pytest.fixture
def config_path(tmp_path, monkeypatch):
    path = tmp_path / "ovhub.conf"
    monkeypatch.setenv("OVHUB_CONFIG", str(path))
    return path


def test_saved_account_file_is_private(config_path):
    app = make_app(api_url="http://127.0.0.1:9/hubic/1.0")
    hubic.save_refresh_token(app, REFRESH_TOKEN, "hubic-test")

    assert stat.S_IMODE(os.stat(config_path).st_mode) == 0o600
    account = hubic.load_account("hubic-test", environ={})
    assert account.kind == "hubic"
    assert account.source == "ovhub.conf"
    assert account.endpoint == "http://127.0.0.1:9/hubic/1.0"
    assert account.client.refresh_token == REFRESH_TOKEN


def test_account_from_environment(config_path):
    environ = {
        "HUBIC_CLIENT_ID": "env-client",
        "HUBIC_CLIENT_SECRET": CLIENT_SECRET,
        "HUBIC_REFRESH_TOKEN": REFRESH_TOKEN,
        "HUBIC_API_URL": "http://127.0.0.1:9/hubic/1.0",
    }
    account = hubic.load_account(environ=environ)
    assert account.name == "hubic"
    assert account.source == "environment"
    assert account.client.app.client_id == "env-client"
    assert account.provider.kind == "hubic"
    assert account.provider.endpoint == "http://127.0.0.1:9/hubic/1.0/account/credentials"


def test_arguments_override_environment(config_path):
    environ = {"HUBIC_CLIENT_ID": "env-client", "HUBIC_CLIENT_SECRET": CLIENT_SECRET}
    account = hubic.load_account(environ=environ, client_id="argument-client")
    assert account.client.app.client_id == "argument-client"


def test_environment_ignored_for_other_names(config_path):
    environ = {"HUBIC_CLIENT_ID": "env-client", "HUBIC_CLIENT_SECRET": CLIENT_SECRET}
    with pytest.raises(errors.ConfigError, match="HUBIC_CLIENT_ID"):
        hubic.load_account("work", environ=environ)


def test_missing_secret_error_names_variable(config_path):
    with pytest.raises(errors.ConfigError) as caught:
        hubic.load_account(environ={"HUBIC_CLIENT_ID": "env-client"})
    assert "HUBIC_CLIENT_SECRET" in str(caught.value)


def test_provider_pickles_with_refresh_token():
    client = hubic.HubicClient(make_app(), REFRESH_TOKEN)
    provider = pickle.loads(pickle.dumps(client.swift_provider()))
    try:
        assert provider.client.refresh_token == REFRESH_TOKEN
        assert provider.client.app == client.app
        assert not provider.signed_in
    finally:
        client.close()
        provider.client.close()
