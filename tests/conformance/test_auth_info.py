"""Conformance: v1 auth, bad tokens, /info and the X-Trans-Id header."""

from __future__ import annotations

from .observe import ABSENT, INTEGER_SEEN, TOKEN_SEEN, TRANS_ID_SEEN, Observer

UNAUTHORIZED_BODY = (
    "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the "
    "document you requested.</p></html>"
)

# A token of tempauth's form that no server issued.
UNKNOWN_TOKEN = "AUTH_tk" + "0123456789abcdef" * 2


def test_v1_auth_valid_and_wrong_key(swift):
    def v1_auth(client):
        watch = Observer(client)
        good = client.authenticate()
        return {
            "valid key": watch.observe(
                good, "X-Storage-Url", "X-Auth-Token", "X-Storage-Token", "X-Auth-Token-Expires", "Content-Length"
            ),
            "storage URL is origin/v1/AUTH_account": good.headers.get("X-Storage-Url") == f"{client.origin}/v1/AUTH_{client.account}",
            "X-Storage-Token equals X-Auth-Token": good.headers.get("X-Storage-Token") == good.headers.get("X-Auth-Token"),
            "wrong key": watch.observe(client.authenticate(key="wrong-key"), "Content-Type", "Www-Authenticate"),
            "unknown user": watch.observe(client.authenticate(user="nobody:nobody"), "Content-Type", "Www-Authenticate"),
            "no credentials": watch.observe(client.get_url(client.auth_url), "Content-Type", "Www-Authenticate"),
        }

    seen = swift.conform(v1_auth)

    assert seen["valid key"]["status"] == 200
    assert seen["valid key"]["headers"]["x-storage-url"] == "<storage-url>"
    assert seen["valid key"]["headers"]["x-auth-token"] == TOKEN_SEEN
    assert seen["valid key"]["headers"]["x-auth-token-expires"] == INTEGER_SEEN
    assert seen["storage URL is origin/v1/AUTH_account"] is True
    assert seen["X-Storage-Token equals X-Auth-Token"] is True
    assert seen["wrong key"] == {
        "status": 401,
        "headers": {"content-type": "text/html; charset=UTF-8", "www-authenticate": 'Swift realm="<account>"'},
        "body": UNAUTHORIZED_BODY,
    }
    assert seen["unknown user"]["status"] == 401
    assert seen["unknown user"]["headers"]["www-authenticate"] == 'Swift realm="nobody"'
    assert seen["no credentials"]["status"] == 401
    assert seen["no credentials"]["headers"]["www-authenticate"] == 'Swift realm="unknown"'


def test_bad_token_gets_401(swift):
    def bad_token(client):
        watch = Observer(client)
        container = client.name("c")
        client.put(client.path(container))
        client.put(client.path(container, "o"), data=b"data")
        headers = ("Content-Type", "Www-Authenticate")
        return {
            "account GET, unknown token": watch.observe(client.get("", token=UNKNOWN_TOKEN), *headers),
            "account GET, malformed token": watch.observe(client.get("", token="not-a-token"), *headers),
            "account GET, no token": watch.observe(client.get("", token=False), *headers),
            "container HEAD, unknown token": watch.observe(client.head(client.path(container), token=UNKNOWN_TOKEN), *headers),
            "object GET, unknown token": watch.observe(client.get(client.path(container, "o"), token=UNKNOWN_TOKEN), *headers),
            "object PUT, unknown token": watch.observe(
                client.put(client.path(container, "p"), token=UNKNOWN_TOKEN, data=b"x"), *headers
            ),
        }

    seen = swift.conform(bad_token)

    for case, observed in seen.items():
        assert observed["status"] == 401, case
        assert observed["headers"]["www-authenticate"] == 'Swift realm="AUTH_<account>"', case
    assert seen["account GET, unknown token"]["body"] == UNAUTHORIZED_BODY
    assert seen["container HEAD, unknown token"]["body"] == ""


# /info values a client reads, compared exactly: both servers run Swift's defaults, except
# the listing limits, which both set to 1000.
INFO_VALUES = [
    ("swift", "max_file_size"),
    ("swift", "container_listing_limit"),
    ("swift", "account_listing_limit"),
    ("swift", "max_meta_name_length"),
    ("swift", "max_meta_value_length"),
    ("swift", "max_meta_count"),
    ("swift", "max_meta_overall_size"),
    ("swift", "max_object_name_length"),
    ("swift", "max_container_name_length"),
    ("slo", "max_manifest_segments"),
    ("slo", "max_manifest_size"),
    ("slo", "min_segment_size"),
    ("tempurl", "methods"),
    ("tempurl", "allowed_digests"),
    ("tempurl", "deprecated_digests"),
    ("bulk_delete", "max_deletes_per_request"),
    ("bulk_delete", "max_failed_deletes"),
]
# /info values compared by type only.
INFO_TYPES = [("swift", "version")]


def test_info_keys_and_types(swift):
    def info(client):
        watch = Observer(client)
        response = client.get_url(client.info_url)
        try:
            document = response.json()
        except ValueError:
            document = {}
        seen = {"GET /info": watch.observe(response, "Content-Type", body="none")}
        for section, key in INFO_VALUES:
            value = document.get(section, {}).get(key, ABSENT)
            seen[f"{section}.{key}"] = {"type": type(value).__name__, "value": value}
        for section, key in INFO_TYPES:
            seen[f"{section}.{key}"] = {"type": type(document.get(section, {}).get(key, ABSENT)).__name__}
        return seen

    seen = swift.conform(info)

    assert seen["GET /info"] == {"status": 200, "headers": {"content-type": "application/json; charset=UTF-8"}}
    assert seen["swift.max_file_size"] == {"type": "int", "value": 5368709122}
    assert seen["swift.container_listing_limit"] == {"type": "int", "value": 1000}
    assert seen["slo.max_manifest_segments"] == {"type": "int", "value": 1000}
    assert seen["tempurl.allowed_digests"] == {"type": "list", "value": ["sha1", "sha256", "sha512"]}
    assert seen["tempurl.deprecated_digests"] == {"type": "list", "value": ["sha1"]}
    assert seen["bulk_delete.max_deletes_per_request"] == {"type": "int", "value": 10000}
    assert seen["swift.version"] == {"type": "str"}


def test_trans_id_format(swift):
    def trans_ids(client):
        container = client.name("c")
        responses = {
            "auth 200": client.authenticate(),
            "auth 401": client.authenticate(key="wrong-key"),
            "GET /info": client.get_url(client.info_url),
            "account GET": client.get("", query="format=json"),
            "container PUT 201": client.put(client.path(container)),
            "object PUT 201": client.put(client.path(container, "o"), data=b"data"),
            "object GET 200": client.get(client.path(container, "o")),
            "object GET 404": client.get(client.path(container, "missing")),
            "bad token 401": client.get("", token=UNKNOWN_TOKEN),
            "bad name 412": client.put(client.path(container) + "/bad%FFname", data=b"x"),
            "listing limit 412": client.get(client.path(container), query="limit=1001"),
        }
        seen = {}
        for case, response in responses.items():
            trans_id = response.headers.get("X-Trans-Id")
            seen[case] = {
                "x-trans-id": Observer(client).header("X-Trans-Id", trans_id),
                "x-openstack-request-id equals it": response.headers.get("X-Openstack-Request-Id") == trans_id,
            }
        identifiers = [response.headers.get("X-Trans-Id") for response in responses.values()]
        seen["every id differs"] = len(set(identifiers)) == len(identifiers)
        return seen

    seen = swift.conform(trans_ids)

    assert seen["every id differs"] is True
    for case, observed in seen.items():
        if case == "every id differs":
            continue
        assert observed["x-trans-id"] == TRANS_ID_SEEN, case
        assert observed["x-openstack-request-id equals it"] is True, case
