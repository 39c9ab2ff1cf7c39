"""The sandbox's OVHcloud API routes: account, bills, Public Cloud storage and users, webstorage.

Storage, user and webstorage tests go on to use what the API returns against the Swift and
Keystone emulations, as a client would.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime

import pytest
import requests


def sign(secret, consumer_key, method, url, body, timestamp):
    return "$1$" + hashlib.sha1("+".join([secret, consumer_key, method, url, body, timestamp]).encode("utf-8")).hexdigest()


class DemoClient:
    """Signed calls with the demo account's pre-validated consumer key."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.config = sandbox.config["ovh"]
        self.api = f"{sandbox.url}/1.0"
        self.project = self.config["project_id"]

    def call(self, method, path, body=None):
        url = f"{self.api}{path}"
        data = "" if body is None else json.dumps(body, separators=(",", ":"))
        stamp = str(requests.get(f"{self.api}/auth/time", timeout=30).json())
        config = self.config
        headers = {
            "X-Ovh-Application": config["application_key"],
            "X-Ovh-Consumer": config["consumer_key"],
            "X-Ovh-Timestamp": stamp,
            "X-Ovh-Signature": sign(config["application_secret"], config["consumer_key"], method, url, data, stamp),
        }
        if data:
            headers["Content-Type"] = "application/json"
        return requests.request(method, url, headers=headers, data=data.encode("utf-8") or None, timeout=30)

    def get(self, path):
        response = self.call("GET", path)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def client(sandbox):
    return DemoClient(sandbox)


def keystone_v3_token(sandbox, username, password, project_id):
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": username, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"id": project_id}},
        }
    }
    return requests.post(f"{sandbox.url}/v3/auth/tokens", json=body, timeout=30)


# -- account ------------------------------------------------------------------------------------


def test_me_fields(client):
    me = client.get("/me")
    assert me["nichandle"] == client.config["nic"]
    assert me["email"] == client.config["email"]
    for field in ("firstname", "name", "country", "language", "currency", "ovhSubsidiary"):
        assert field in me, field


def test_put_me_rejects_read_only(client):
    response = client.call("PUT", "/me", {"nichandle": "other"})
    assert response.status_code == 400
    assert "nichandle" in response.json()["message"]


def test_bills_monthly_in_2024(client):
    ids = client.get("/me/bill")
    assert len(ids) == 12
    assert client.get("/me/bill") == ids

    dates = [datetime.fromisoformat(client.get(f"/me/bill/{bill_id}")["date"]) for bill_id in ids]
    assert dates == sorted(dates)
    assert [date.month for date in dates] == list(range(1, 13))
    assert {date.year for date in dates} == {2024}


def test_bill_fields(client):
    bill_id = client.get("/me/bill")[0]
    bill = client.get(f"/me/bill/{bill_id}")
    assert bill["billId"] == bill_id
    assert bill["priceWithTax"]["currencyCode"] == "EUR"
    assert bill["priceWithTax"]["value"] == pytest.approx(bill["priceWithoutTax"]["value"] + bill["tax"]["value"])
    assert bill["priceWithoutTax"]["value"] > 0


def test_bill_date_filters(client):
    ids = client.get("/me/bill")
    dates = [client.get(f"/me/bill/{bill_id}")["date"] for bill_id in ids]

    since = client.get(f"/me/bill?date.from={dates[6][:10]}")
    assert since == ids[6:]
    until = client.get(f"/me/bill?date.to={dates[2][:10]}")
    assert until == ids[:2]
    between = client.get(f"/me/bill?date.from={dates[3][:10]}&date.to={dates[5][:10]}T23:59:59Z")
    assert between == ids[3:6]


def test_bill_invalid_date_rejected(client):
    response = client.call("GET", "/me/bill?date.from=yesterday")
    assert response.status_code == 400
    assert "date.from" in response.json()["message"]


def test_unknown_bill_not_found(client):
    response = client.call("GET", "/me/bill/FR0000000")
    assert response.status_code == 404
    assert response.json()["class"] == "Client::NotFound"


def test_account_lists_demo_application(client):
    applications = [client.get(f"/me/api/application/{app_id}") for app_id in client.get("/me/api/application")]
    keys = [application["applicationKey"] for application in applications]
    assert client.config["application_key"] in keys
    assert all("applicationSecret" not in application for application in applications)


# -- Public Cloud projects ----------------------------------------------------------------------


def test_project_list_and_details(client):
    assert client.get("/cloud/project") == [client.project]
    project = client.get(f"/cloud/project/{client.project}")
    assert project["project_id"] == client.project
    assert project["status"] == "ok"


def test_project_description_update(client):
    assert client.call("PUT", f"/cloud/project/{client.project}", {"description": "analysis"}).status_code == 200
    assert client.get(f"/cloud/project/{client.project}")["description"] == "analysis"


def test_unknown_project_not_found(client):
    response = client.call("GET", "/cloud/project/0123456789abcdef/storage")
    assert response.status_code == 404
    assert response.json()["message"] == "This service does not exist"


def test_storage_access_token_opens_swift(sandbox, client):
    access = client.call("POST", f"/cloud/project/{client.project}/storage/access")
    assert access.status_code == 200, access.text
    storage_access = access.json()
    assert {endpoint["region"] for endpoint in storage_access["endpoints"]} == set(client.config["regions"])

    for endpoint in storage_access["endpoints"]:
        region = endpoint["region"].lower()
        assert endpoint["url"] == f"{sandbox.url}/storage/{region}/v1/AUTH_{client.project}"
        listing = requests.get(endpoint["url"], headers={"X-Auth-Token": storage_access["token"]}, timeout=30)
        assert listing.status_code in (200, 204), listing.text

    wrong = requests.get(storage_access["endpoints"][0]["url"], headers={"X-Auth-Token": "not-a-token"}, timeout=30)
    assert wrong.status_code == 401


def test_storage_lists_swift_containers(sandbox, client):
    storage_access = client.call("POST", f"/cloud/project/{client.project}/storage/access").json()
    url = next(endpoint["url"] for endpoint in storage_access["endpoints"] if endpoint["region"] == "SBG")
    name = f"listed-{time.time_ns()}"
    headers = {"X-Auth-Token": storage_access["token"]}
    assert requests.put(f"{url}/{name}", headers=headers, timeout=30).status_code in (201, 202)
    assert requests.put(f"{url}/{name}/a.csv", headers=headers, data=b"x,y\n1,2\n", timeout=30).status_code == 201

    containers = client.get(f"/cloud/project/{client.project}/storage")
    mine = [container for container in containers if container["name"] == name]
    assert len(mine) == 1
    assert mine[0]["region"] == "SBG"
    assert mine[0]["storedObjects"] == 1
    assert mine[0]["storedBytes"] == 8
    assert mine[0]["id"]


# -- OpenStack users ----------------------------------------------------------------------------


def create_user(client, **body):
    response = client.call("POST", f"/cloud/project/{client.project}/user", {"description": "notebook", "role": "objectstore_operator", **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_user_created_then_ok(sandbox, client):
    user = create_user(client)
    assert user["status"] == "creating"
    assert len(user["password"]) == 32
    assert [role["name"] for role in user["roles"]] == ["objectstore_operator"]

    listed = client.get(f"/cloud/project/{client.project}/user")
    assert user["id"] in [item["id"] for item in listed]
    assert all("password" not in item for item in listed)

    sandbox.shift_clock(5)
    assert client.get(f"/cloud/project/{client.project}/user/{user['id']}")["status"] == "ok"


def test_user_password_opens_keystone(sandbox, client):
    user = create_user(client)
    response = keystone_v3_token(sandbox, user["username"], user["password"], client.project)
    assert response.status_code == 201, response.text
    assert response.headers["X-Subject-Token"]


def test_user_regenerate_password(sandbox, client):
    user = create_user(client)
    regenerated = client.call("POST", f"/cloud/project/{client.project}/user/{user['id']}/regeneratePassword")
    assert regenerated.status_code == 200
    new_password = regenerated.json()["password"]
    assert new_password != user["password"]
    assert keystone_v3_token(sandbox, user["username"], new_password, client.project).status_code == 201
    assert keystone_v3_token(sandbox, user["username"], user["password"], client.project).status_code == 401


def test_user_openrc(sandbox, client):
    user = create_user(client)
    response = client.call("GET", f"/cloud/project/{client.project}/user/{user['id']}/openrc?region=GRA")
    assert response.status_code == 200
    content = response.json()["content"]
    assert f"export OS_AUTH_URL={sandbox.url}/v3\n" in content
    assert f'export OS_USERNAME="{user["username"]}"\n' in content
    assert f"export OS_TENANT_ID={client.project}\n" in content
    assert 'export OS_REGION_NAME="GRA"\n' in content
    assert user["password"] not in content


def test_user_openrc_needs_known_region(client):
    user = create_user(client)
    missing = client.call("GET", f"/cloud/project/{client.project}/user/{user['id']}/openrc")
    assert missing.status_code == 400
    unknown = client.call("GET", f"/cloud/project/{client.project}/user/{user['id']}/openrc?region=XYZ")
    assert unknown.status_code == 400


def test_user_unknown_role_rejected(client):
    response = client.call("POST", f"/cloud/project/{client.project}/user", {"description": "x", "role": "superuser"})
    assert response.status_code == 400
    assert "superuser" in response.json()["message"]


def test_user_delete(sandbox, client):
    user = create_user(client)
    deleted = client.call("DELETE", f"/cloud/project/{client.project}/user/{user['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.call("GET", f"/cloud/project/{client.project}/user/{user['id']}").status_code == 404
    assert keystone_v3_token(sandbox, user["username"], user["password"], client.project).status_code == 401


def test_user_s3_credentials(client):
    user = create_user(client)
    base = f"/cloud/project/{client.project}/user/{user['id']}/s3Credentials"
    created = client.call("POST", base)
    assert created.status_code == 200
    key = created.json()
    assert key["tenantId"] == client.project
    assert key["secret"]

    assert client.get(base) == [{"access": key["access"], "tenantId": client.project, "userId": key["userId"]}]
    assert client.call("POST", f"{base}/{key['access']}/secret").json() == {"secret": key["secret"]}
    assert client.call("DELETE", f"{base}/{key['access']}").status_code == 204
    assert client.get(base) == []


# -- legacy CDN webstorage ----------------------------------------------------------------------


def test_webstorage_service(sandbox, client):
    services = client.get("/cdn/webstorage")
    assert services == [sandbox.app.state.demo["ovh"]["webstorage_service"]]
    details = client.get(f"/cdn/webstorage/{services[0]}")
    assert set(details) == {"domain", "server", "storageLimit", "storageUsage"}
    assert details["storageUsage"] >= 0


def test_webstorage_credentials_open_swift(sandbox, client):
    service = client.get("/cdn/webstorage")[0]
    credentials = client.get(f"/cdn/webstorage/{service}/credentials")
    assert credentials["endpoint"] == f"{sandbox.url}/v2.0"
    assert client.get(f"/cdn/webstorage/{service}/credentials") == credentials

    body = {"auth": {"passwordCredentials": {"username": credentials["login"], "password": credentials["password"]}, "tenantName": credentials["tenant"]}}
    token = requests.post(f"{credentials['endpoint']}/tokens", json=body, timeout=30)
    assert token.status_code == 200, token.text
    access = token.json()["access"]
    store = next(service for service in access["serviceCatalog"] if service["type"] == "object-store")
    url = store["endpoints"][0]["publicURL"]
    listing = requests.get(url, headers={"X-Auth-Token": access["token"]["id"]}, timeout=30)
    assert listing.status_code in (200, 204), listing.text


def test_unknown_webstorage_not_found(client):
    response = client.call("GET", "/cdn/webstorage/cdnwebstorage-nope/credentials")
    assert response.status_code == 404


# -- /v2 ----------------------------------------------------------------------------------------


def test_v2_iam_resources(sandbox, client):
    url = f"{sandbox.url}/v2/iam/resource"
    stamp = str(requests.get(f"{client.api}/auth/time", timeout=30).json())
    config = client.config
    headers = {
        "X-Ovh-Application": config["application_key"],
        "X-Ovh-Consumer": config["consumer_key"],
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(config["application_secret"], config["consumer_key"], "GET", url, "", stamp),
    }
    resources = requests.get(url, headers=headers, timeout=30).json()
    assert f"urn:v1:eu:resource:publicCloudProject:{client.project}" in [resource["urn"] for resource in resources]
