"""Keystone v3 and v2.0 emulation: token issue, catalog, errors, and Swift access with the token."""

from __future__ import annotations

import hashlib
import uuid

import requests

UNAUTHORIZED = {"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}


def password_body(project_id, *, name=None, user_id=None, password, domain=None):
    user = {"password": password}
    if user_id is not None:
        user["id"] = user_id
    else:
        user["name"] = name
        user["domain"] = domain or {"id": "default"}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"id": project_id}}}}


def demo_login(sandbox, **overrides):
    config = sandbox.config["keystone"]
    body = password_body(config["project_id"], name=config["username"], password=config["password"], **overrides)
    return requests.post(config["auth_url"] + "/auth/tokens", json=body, timeout=30)


def object_store_urls(catalog):
    entries = [entry for entry in catalog if entry["type"] == "object-store"]
    assert len(entries) == 1
    return {(endpoint["region"], endpoint["interface"]): endpoint["url"] for endpoint in entries[0]["endpoints"]}


def test_v3_password_login_returns_token_and_catalog(sandbox):
    config = sandbox.config["keystone"]

    response = demo_login(sandbox)

    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert token.startswith("gAAAAA")
    body = response.json()["token"]
    assert body["methods"] == ["password"]
    assert body["user"]["name"] == config["username"]
    assert body["user"]["domain"]["id"] == "default"
    assert body["project"]["id"] == config["project_id"]
    assert body["expires_at"].endswith("Z")
    assert body["issued_at"].endswith("Z")
    assert {role["name"] for role in body["roles"]}
    urls = object_store_urls(body["catalog"])
    for region in ("GRA", "SBG"):
        for interface in ("public", "internal", "admin"):
            assert urls[(region, interface)] == f"{sandbox.url}/storage/{region.lower()}/v1/AUTH_{config['project_id']}"
    assert any(entry["type"] == "identity" for entry in body["catalog"])


def test_v3_token_opens_project_in_every_region(sandbox):
    config = sandbox.config["keystone"]
    token = demo_login(sandbox).headers["X-Subject-Token"]

    for region in ("gra", "sbg"):
        url = f"{sandbox.url}/storage/{region}/v1/AUTH_{config['project_id']}"
        response = requests.get(url, headers={"X-Auth-Token": token}, params={"format": "json"})
        assert response.status_code == 200
        assert "notebooks-data" in [container["name"] for container in response.json()]


def test_v3_token_does_not_open_main_cluster_accounts(sandbox):
    token = demo_login(sandbox).headers["X-Subject-Token"]
    hubic_account = sandbox.app.state.demo["hubic"]["account"]

    response = requests.get(f"{sandbox.url}/v1/AUTH_{hubic_account}", headers={"X-Auth-Token": token})

    assert response.status_code == 403


def test_v3_login_by_user_id(sandbox):
    config = sandbox.config["keystone"]
    user_id = sandbox.app.state.demo["keystone"]["user_id"]
    body = password_body(config["project_id"], user_id=user_id, password=config["password"])

    response = requests.post(config["auth_url"] + "/auth/tokens", json=body)

    assert response.status_code == 201
    assert response.json()["token"]["user"]["id"] == user_id


def test_v3_wrong_password_is_401(sandbox):
    config = sandbox.config["keystone"]
    body = password_body(config["project_id"], name=config["username"], password="not-the-password")

    response = requests.post(config["auth_url"] + "/auth/tokens", json=body)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert "not-the-password" not in response.text


def test_v3_other_project_is_401(sandbox):
    config = sandbox.config["keystone"]
    body = password_body(uuid.uuid4().hex, name=config["username"], password=config["password"])

    response = requests.post(config["auth_url"] + "/auth/tokens", json=body)

    assert response.status_code == 401


def test_v3_malformed_body_is_400(sandbox):
    config = sandbox.config["keystone"]

    not_json = requests.post(config["auth_url"] + "/auth/tokens", data=b"{nope", headers={"Content-Type": "application/json"})
    no_identity = requests.post(config["auth_url"] + "/auth/tokens", json={"auth": {}})

    for response in (not_json, no_identity):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == 400
        assert error["title"] == "Bad Request"


def test_v3_version_document(sandbox):
    response = requests.get(sandbox.url + "/v3")

    assert response.status_code == 200
    version = response.json()["version"]
    assert version["status"] == "stable"
    assert version["id"].startswith("v3")
    assert version["links"][0]["href"] == sandbox.url + "/v3/"


def test_keystone_token_expires_with_clock(sandbox):
    config = sandbox.config["keystone"]
    token = demo_login(sandbox).headers["X-Subject-Token"]
    url = f"{sandbox.url}/storage/gra/v1/AUTH_{config['project_id']}"

    sandbox.shift_clock(sandbox.app.state.settings["keystone_token_ttl"] + 1)

    assert requests.head(url, headers={"X-Auth-Token": token}).status_code == 401


def test_created_user_logs_in_and_persists(sandbox, tmp_path):
    keystone = sandbox.app.services["keystone"]
    project_id = sandbox.config["keystone"]["project_id"]
    user_id = uuid.uuid4().hex
    keystone.create_user(user_id=user_id, username="user-created", password="first-secret", project_id=project_id)
    body = password_body(project_id, name="user-created", password="first-secret")
    try:
        first = requests.post(sandbox.url + "/v3/auth/tokens", json=body)
        keystone.set_password(user_id, "second-secret")
        old_password = requests.post(sandbox.url + "/v3/auth/tokens", json=body)
        saved = (sandbox.data_dir / "keystone_users.json").read_text()

        assert first.status_code == 201
        assert old_password.status_code == 401
        assert user_id in saved
        assert "first-secret" not in saved
        assert "second-secret" not in saved
        assert keystone.get_user(user_id)["username"] == "user-created"
    finally:
        keystone.delete_user(user_id)
    assert keystone.get_user(user_id) is None


def test_v2_tenant_login_opens_webstorage_account(sandbox):
    keystone = sandbox.app.services["keystone"]
    swift = sandbox.app.services["swift"]
    account = "webstorage" + uuid.uuid4().hex[:8]
    keystone.add_v2_tenant(tenant="tenant-x", login="login-x", password="pw-x", account=account)
    swift.put_container("main", account, "files")
    body = {"auth": {"passwordCredentials": {"username": "login-x", "password": "pw-x"}, "tenantName": "tenant-x"}}

    response = requests.post(sandbox.url + "/v2.0/tokens", json=body)

    assert response.status_code == 200
    access = response.json()["access"]
    endpoints = access["serviceCatalog"][0]["endpoints"]
    assert access["serviceCatalog"][0]["type"] == "object-store"
    assert endpoints[0]["publicURL"] == f"{sandbox.url}/v1/AUTH_{account}"
    listing = requests.get(endpoints[0]["publicURL"], headers={"X-Auth-Token": access["token"]["id"]})
    assert listing.status_code == 200
    assert listing.text == "files\n"


def test_v2_wrong_password_is_401(sandbox):
    body = {"auth": {"passwordCredentials": {"username": "nobody", "password": "x"}, "tenantName": "none"}}

    response = requests.post(sandbox.url + "/v2.0/tokens", json=body)

    assert response.status_code == 401
    assert response.json()["error"]["title"] == "Unauthorized"


def test_demo_webstorage_tenant_is_registered(sandbox):
    ovh = sandbox.app.state.demo["ovh"]
    password = hashlib.sha256(f"{ovh['application_secret']}:{ovh['webstorage_account']}".encode()).hexdigest()[:32]
    body = {
        "auth": {
            "passwordCredentials": {"username": ovh["webstorage_service"], "password": password},
            "tenantName": ovh["webstorage_service"],
        }
    }

    response = requests.post(sandbox.url + "/v2.0/tokens", json=body)

    assert response.status_code == 200
    url = response.json()["access"]["serviceCatalog"][0]["endpoints"][0]["publicURL"]
    assert url.endswith("/v1/AUTH_" + ovh["webstorage_account"])
