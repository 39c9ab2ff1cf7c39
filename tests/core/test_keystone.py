"""Keystone v3 and v2.0 password auth: catalog endpoints, expiry, errors, and Swift through them."""

from __future__ import annotations

import pickle
import time
from datetime import datetime, timezone

import pytest
import requests

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import HttpClient
from ovhub_jupyter.core.keystone import (
    KeystoneV2Provider,
    KeystoneV3Provider,
    object_store_endpoints,
    parse_expiry,
    select_endpoint,
    v2_endpoints,
)
from ovhub_jupyter.core.swift import SwiftAccount

from tests.core.conftest import FAST_RETRY

CATALOG = [
    {"type": "identity", "endpoints": [{"region_id": "GRA", "interface": "public", "url": "https://id.example/v3"}]},
    {
        "type": "object-store",
        "endpoints": [
            {"region_id": "GRA", "region": "GRA", "interface": "public", "url": "https://gra.example/v1/AUTH_p"},
            {"region_id": "GRA", "region": "GRA", "interface": "internal", "url": "https://gra.internal/v1/AUTH_p"},
            {"region_id": "SBG", "region": "SBG", "interface": "public", "url": "https://sbg.example/v1/AUTH_p"},
        ],
    },
]


# -- catalog ---------------------------------------------------------------------------------


def test_endpoint_by_region_and_interface():
    endpoints = object_store_endpoints(CATALOG)

    assert select_endpoint(endpoints, region="SBG") == "https://sbg.example/v1/AUTH_p"
    assert select_endpoint(endpoints, region="gra") == "https://gra.example/v1/AUTH_p"
    assert select_endpoint(endpoints, region="GRA", interface="internal") == "https://gra.internal/v1/AUTH_p"


def test_endpoint_without_region_needs_one_region():
    endpoints = object_store_endpoints(CATALOG)

    with pytest.raises(errors.ConfigError, match="several regions: GRA, SBG"):
        select_endpoint(endpoints, region=None)
    assert select_endpoint(endpoints, region=None, interface="internal") == "https://gra.internal/v1/AUTH_p"


def test_unknown_region_lists_choices():
    with pytest.raises(errors.ConfigError) as caught:
        select_endpoint(object_store_endpoints(CATALOG), region="BHS")

    assert "'BHS'" in str(caught.value)
    assert "GRA, SBG" in str(caught.value)


def test_catalog_without_object_store():
    with pytest.raises(errors.ConfigError, match="no public object-store endpoint"):
        select_endpoint(object_store_endpoints(CATALOG[:1]), region=None)


def test_v2_endpoints_converted():
    entries = [{"region": "GRA", "publicURL": "https://p", "internalURL": "https://i", "adminURL": "https://a"}]

    converted = v2_endpoints(entries)

    assert {(e["interface"], e["url"]) for e in converted} == {("public", "https://p"), ("internal", "https://i"), ("admin", "https://a")}
    assert select_endpoint(converted, region="GRA") == "https://p"


def test_expiry_parsed_in_utc():
    expected = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc).timestamp()

    assert parse_expiry("2030-01-02T03:04:05.000000Z") == expected
    assert parse_expiry("2030-01-02T03:04:05Z") == expected
    assert parse_expiry("2030-01-02T03:04:05+00:00") == expected
    assert parse_expiry("2030-01-02T03:04:05") == expected
    assert parse_expiry("not a date") is None
    assert parse_expiry(None) is None


def test_expiry_measured_on_server_clock():
    response = requests.Response()
    response.headers["Date"] = "Wed, 02 Jan 2030 02:04:05 GMT"

    # The server says the token has one hour left; the local clock is elsewhere.
    expires_at = parse_expiry("2030-01-02T03:04:05Z", response, sent_at=1_000_000.0)

    assert expires_at == 1_000_000.0 + 3600


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"password": "p", "project_id": "x"}, "username or a user_id"),
        ({"username": "u", "password": "", "project_id": "x"}, "needs a password"),
        ({"username": "u", "password": "p"}, "project_id or a project_name"),
    ],
)
def test_v3_arguments_checked(options, fragment):
    with pytest.raises(errors.InvalidInputError, match=fragment):
        KeystoneV3Provider("http://127.0.0.1:1/v3", **options)


def test_auth_url_must_be_http():
    with pytest.raises(errors.InvalidInputError, match="must start with http"):
        KeystoneV3Provider("auth.example/v3", username="u", password="p", project_id="x")


# -- against the sandbox ---------------------------------------------------------------------


def v3_provider(sandbox, **overrides):
    config = sandbox.config["keystone"]
    options = {
        "username": config["username"],
        "password": config["password"],
        "project_id": config["project_id"],
        "region": config["regions"][0],
        "http": HttpClient("keystone", retry=FAST_RETRY),
    }
    options.update(overrides)
    return KeystoneV3Provider(config["auth_url"], **options)


def test_v3_token_opens_regional_swift(sandbox_server):
    sandbox = sandbox_server.sandbox
    provider = v3_provider(sandbox)
    account = SwiftAccount(provider, http=HttpClient("swift", retry=FAST_RETRY))

    credentials = provider.get()
    container = sandbox_server.new_container(account)
    account.upload_bytes(container, "k", b"keystone")

    region = sandbox.config["keystone"]["regions"][0].lower()
    assert f"/storage/{region}/v1/AUTH_" in credentials.storage_url
    assert credentials.expires_at is not None
    assert credentials.expires_at > time.time() + 3600
    assert account.download_bytes(container, "k") == b"keystone"


def test_v3_other_region_has_other_storage(sandbox_server):
    sandbox = sandbox_server.sandbox
    regions = sandbox.config["keystone"]["regions"]

    first = v3_provider(sandbox, region=regions[0]).get().storage_url
    second = v3_provider(sandbox, region=regions[1]).get().storage_url

    assert first != second


def test_v3_without_region_lists_regions(sandbox_server):
    provider = v3_provider(sandbox_server.sandbox, region=None)

    with pytest.raises(errors.ConfigError, match="several regions"):
        provider.get()


def test_v3_wrong_password(sandbox_server):
    provider = v3_provider(sandbox_server.sandbox, password="wrong-password-123")

    with pytest.raises(errors.AuthenticationError) as caught:
        provider.get()

    assert "wrong-password-123" not in str(caught.value)
    assert "check the username, password and project" in str(caught.value).lower()
    assert "wrong-password" not in repr(provider)


def test_v3_token_refreshed_after_expiry(sandbox_server):
    sandbox = sandbox_server.sandbox
    provider = v3_provider(sandbox)
    account = SwiftAccount(provider, http=HttpClient("swift", retry=FAST_RETRY))
    container = sandbox_server.new_container(account)
    first = provider.get().token

    sandbox.expire_tokens()
    account.upload_bytes(container, "after", b"refreshed")

    assert provider.get().token != first
    assert account.download_bytes(container, "after") == b"refreshed"


def test_v3_provider_pickles_without_token(sandbox_server):
    provider = v3_provider(sandbox_server.sandbox)
    token = provider.get().token

    restored = pickle.loads(pickle.dumps(provider))

    assert token.encode() not in pickle.dumps(provider)
    assert restored.get().storage_url == provider.get().storage_url


def test_v2_tenant_opens_swift(sandbox_server):
    sandbox = sandbox_server.sandbox
    keystone = sandbox.app.services["keystone"]
    keystone.add_v2_tenant(tenant="legacy-tenant", login="legacy-user", password="legacy-password-1", account="legacyacct")
    base = sandbox.config["keystone"]["auth_url"].rsplit("/v3", 1)[0]
    provider = KeystoneV2Provider(
        base + "/v2.0",
        username="legacy-user",
        password="legacy-password-1",
        tenant_name="legacy-tenant",
        http=HttpClient("keystone", retry=FAST_RETRY),
    )
    account = SwiftAccount(provider, http=HttpClient("swift", retry=FAST_RETRY))

    credentials = provider.get()
    container = sandbox_server.new_container(account)
    account.upload_bytes(container, "v2", b"legacy")

    assert credentials.storage_url.endswith("/v1/AUTH_legacyacct")
    assert credentials.expires_at is not None
    assert account.download_bytes(container, "v2") == b"legacy"


def test_v2_wrong_password(sandbox_server):
    sandbox = sandbox_server.sandbox
    sandbox.app.services["keystone"].add_v2_tenant(tenant="t2", login="u2", password="right-password", account="acct2")
    base = sandbox.config["keystone"]["auth_url"].rsplit("/v3", 1)[0]
    provider = KeystoneV2Provider(
        base, username="u2", password="wrong-password-456", tenant_name="t2", http=HttpClient("keystone", retry=FAST_RETRY)
    )

    with pytest.raises(errors.AuthenticationError) as caught:
        provider.get()

    assert "wrong-password-456" not in str(caught.value)
