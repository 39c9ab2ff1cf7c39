"""Request signing: the official vectors, the exact URL on the wire, python-ovh as an oracle."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import RetryPolicy
from ovhub_jupyter.core.ovh import (
    ENDPOINTS,
    OvhClient,
    api_root,
    build_url,
    encode_body,
    encode_query,
    resolve_endpoint,
    sign,
)

# The official vectors: same keys, URL and timestamp for the four methods.
VECTOR_SECRET = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk"
VECTOR_CONSUMER_KEY = "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY"
VECTOR_URL = "https://eu.api.ovh.com/1.0/auth"
VECTOR_TIMESTAMP = 1457018875
VECTORS = [
    ("GET", None, "$1$e9556054b6309771395efa467c22e627407461ad"),
    ("POST", {"a": "b", "c": "d"}, "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1"),
    ("PUT", {"a": "b", "c": "d"}, "$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b"),
    ("DELETE", None, "$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85"),
]

FAST_RETRY = RetryPolicy(max_retries=2, backoff_initial=0.01, backoff_max=0.05)


def make_client(sandbox, **overrides):
    ovh = sandbox.config["ovh"]
    options = {
        "application_key": ovh["application_key"],
        "application_secret": ovh["application_secret"],
        "consumer_key": ovh["consumer_key"],
        "retry": FAST_RETRY,
    }
    options.update(overrides)
    return OvhClient(ovh["endpoint"], **options)


# -- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize("method,params,expected", VECTORS)
def test_official_signature_vectors(method, params, expected):
    body = encode_body(params)

    signature = sign(VECTOR_SECRET, VECTOR_CONSUMER_KEY, method, VECTOR_URL, body, VECTOR_TIMESTAMP)

    assert signature == expected


def test_body_is_compact_json():
    assert encode_body({"a": "b", "c": "d"}) == b'{"a":"b","c":"d"}'
    assert encode_body({}) is None
    assert encode_body(None) is None


def test_signature_covers_url_body_and_time():
    base = sign("s", "c", "GET", "https://x/1.0/me", None, 1)

    assert sign("s", "c", "GET", "https://x/1.0/me?a=1", None, 1) != base
    assert sign("s", "c", "GET", "https://x/1.0/me", b"{}", 1) != base
    assert sign("s", "c", "GET", "https://x/1.0/me", None, 2) != base
    assert sign("s", "c", "get", "https://x/1.0/me", None, 1) == base


def test_every_named_endpoint_resolves():
    assert len(ENDPOINTS) == 7
    for name, url in ENDPOINTS.items():
        assert resolve_endpoint(name) == (name, url)


def test_base_url_endpoint_is_accepted():
    assert resolve_endpoint("http://127.0.0.1:9/1.0/") == (None, "http://127.0.0.1:9/1.0")
    assert resolve_endpoint("https://eu.api.ovh.com/1.0") == ("ovh-eu", "https://eu.api.ovh.com/1.0")


@pytest.mark.parametrize("endpoint", ["ovh-mars", "", "ftp://host/1.0", "eu.api.ovh.com"])
def test_unknown_endpoint_is_rejected(endpoint):
    with pytest.raises(errors.InvalidInputError) as caught:
        resolve_endpoint(endpoint)

    assert "ovh-eu" in str(caught.value)


def test_v1_and_v2_paths_go_to_api_root():
    base = "https://eu.api.ovh.com/1.0"

    assert build_url(base, "/v2/iam/policy") == "https://eu.api.ovh.com/v2/iam/policy"
    assert build_url(base, "/v1/me") == "https://eu.api.ovh.com/v1/me"
    assert build_url(base, "/me") == "https://eu.api.ovh.com/1.0/me"
    assert build_url(base, "/v2x") == "https://eu.api.ovh.com/1.0/v2x"
    assert api_root("http://127.0.0.1:5/proxy/1.0") == "http://127.0.0.1:5/proxy"


def test_path_segments_are_percent_encoded():
    url = build_url("https://h/1.0", "/domain/zone/a b/récord//x%y")

    assert url == "https://h/1.0/domain/zone/a%20b/r%C3%A9cord//x%25y"


def test_query_keeps_dotted_names_and_lowercase_booleans():
    query = encode_query({"date.from": "2024-01-01T00:00:00+01:00", "active": True, "deleted": False, "skip": None})

    assert query == "date.from=2024-01-01T00:00:00%2B01:00&active=true&deleted=false"


def test_query_repeats_list_values():
    assert encode_query([("status", ["ok", "error"]), ("q", "a&b=c d")]) == "status=ok&status=error&q=a%26b%3Dc%20d"


def test_relative_path_is_rejected_before_any_request():
    with pytest.raises(errors.InvalidInputError):
        build_url("https://h/1.0", "me")


# -- against the sandbox --------------------------------------------------------------------


def test_signed_get_and_put_are_accepted(sandbox):
    client = make_client(sandbox)
    original = client.get("/me")["language"]
    changed = "fr_FR" if original != "fr_FR" else "en_GB"

    client.put("/me", language=changed)
    after = client.get("/me")["language"]
    client.put("/me", language=original)

    assert after == changed
    assert client.get("/me")["language"] == original


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "GET"])
def test_signature_is_checked_before_routing(sandbox, method):
    # A 404 on a signed call means the server accepted the signature. The same call
    # with a wrong secret gets INVALID_SIGNATURE, which shows that the check ran.
    good = make_client(sandbox)
    bad = make_client(sandbox, application_secret="x" * 32)
    params = {"name": "value", "flag": True}

    with pytest.raises(errors.NotFoundError) as accepted:
        good.call(method, "/me/no-such-resource", **params)
    with pytest.raises(errors.AuthenticationError) as rejected:
        bad.call(method, "/me/no-such-resource", **params)

    assert accepted.value.status == 404
    assert rejected.value.code == "INVALID_SIGNATURE"
    assert rejected.value.status == 400


def test_query_parameters_are_signed_as_sent(sandbox):
    client = make_client(sandbox)

    bills = client.get("/me/bill", **{"date.from": "2000-01-01T00:00:00+00:00", "date.to": "2100-01-01"})

    assert isinstance(bills, list)


def test_boolean_query_parameter_is_accepted(sandbox):
    client = make_client(sandbox)

    bills = client.get("/me/bill", paid=True, **{"date.from": "2000-01-01"})

    assert isinstance(bills, list)


def test_path_with_space_and_accent_signs_correctly(sandbox):
    client = make_client(sandbox)

    # The sandbox checks the signature before routing: a 404 proves it accepted it.
    with pytest.raises(errors.NotFoundError) as caught:
        client.get("/me/ssh key/clé")

    assert caught.value.status == 404
    assert caught.value.code != "INVALID_SIGNATURE"


def test_request_sends_exact_signed_url(sandbox):
    client = make_client(sandbox)

    # Dot segments would be removed by requests' URL normalization if it were used.
    with pytest.raises(errors.NotFoundError) as caught:
        client.get("/a/./b/../c d", flag=True)

    logged = [r for r in sandbox.requests() if "/a/" in r["path"]][-1]
    assert logged["path"] == "/1.0/a/./b/../c%20d"
    assert logged["query"] == "flag=true"
    assert caught.value.code != "INVALID_SIGNATURE"


def test_python_ovh_computes_the_same_signature(sandbox):
    ovh = pytest.importorskip("ovh", reason="python-ovh is the test oracle for signatures")
    config = sandbox.config["ovh"]
    oracle = ovh.Client(
        endpoint="ovh-eu",
        application_key=config["application_key"],
        application_secret=config["application_secret"],
        consumer_key=config["consumer_key"],
    )
    # python-ovh accepts only named endpoints, so its base URL is replaced by the sandbox's.
    oracle._endpoint = config["endpoint"]

    for method, path, data in [
        ("GET", "/me", None),
        ("GET", "/me/bill?date.from=2000-01-01&active=true", None),
        ("PUT", "/me", {"language": "en_GB"}),
        ("POST", "/auth/credential", {"accessRules": [{"method": "GET", "path": "/*"}]}),
    ]:
        response = oracle.raw_call(method, path, data)
        sent = response.request

        ours = sign(
            config["application_secret"],
            config["consumer_key"],
            method,
            sent.url,
            sent.body or None,
            sent.headers["X-Ovh-Timestamp"],
        )

        assert response.status_code < 300, (method, path, response.text)
        assert sent.headers["X-Ovh-Signature"] == ours
        assert build_url(config["endpoint"], path.partition("?")[0]) == sent.url.partition("?")[0]
        if data is not None:
            assert sent.body.encode() == encode_body(data) if isinstance(sent.body, str) else sent.body == encode_body(data)


def test_sha1_of_signature_text_matches_reference_formula():
    text = "+".join([VECTOR_SECRET, VECTOR_CONSUMER_KEY, "GET", VECTOR_URL, "", str(VECTOR_TIMESTAMP)])

    assert sign(VECTOR_SECRET, VECTOR_CONSUMER_KEY, "GET", VECTOR_URL, None, VECTOR_TIMESTAMP) == "$1$" + hashlib.sha1(text.encode()).hexdigest()


def test_unsigned_time_call_needs_no_keys(sandbox):
    client = OvhClient(sandbox.config["ovh"]["endpoint"], retry=FAST_RETRY)

    delta = client.time_delta

    assert abs(delta) <= 2


def test_clock_off_by_minutes_is_corrected(sandbox):
    client = make_client(sandbox)
    assert client.whoami()["nichandle"] == sandbox.config["ovh"]["nic"]

    sandbox.shift_clock(-600)
    me = client.whoami()

    assert me["nichandle"] == sandbox.config["ovh"]["nic"]
    assert -602 <= client.time_delta <= -598


def test_clock_shift_before_first_call_is_applied(sandbox):
    sandbox.shift_clock(900)
    client = make_client(sandbox)

    client.whoami()

    assert 898 <= client.time_delta <= 902


def test_stale_timestamp_is_rejected(sandbox):
    # Guards the clock tests above: the server must reject a timestamp ten minutes off.
    config = sandbox.config["ovh"]
    url = config["endpoint"] + "/me"
    timestamp = str(int(time.time()) - 600)
    headers = {
        "X-Ovh-Application": config["application_key"],
        "X-Ovh-Consumer": config["consumer_key"],
        "X-Ovh-Timestamp": timestamp,
        "X-Ovh-Signature": sign(config["application_secret"], config["consumer_key"], "GET", url, None, timestamp),
    }

    with requests.Session() as session:
        session.trust_env = False
        response = session.get(url, headers=headers, timeout=10)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "QUERY_TIME_OUT"
