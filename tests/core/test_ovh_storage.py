"""OVHcloud object storage through the API: projects, containers, and Swift credentials for swift.py."""

from __future__ import annotations

import pickle

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.accounts import Account, AccountRegistry
from ovhub_jupyter.core.http import RetryPolicy
from ovhub_jupyter.core.ovh import OvhClient
from ovhub_jupyter.core.ovh_storage import (
    STORAGE_ACCESS_TTL,
    OpenStackUserCredentials,
    PublicCloudStorageAccess,
    WebstorageCredentials,
    list_projects,
    parse_storage_account_name,
    project_containers,
    register_ovh_storage_resolver,
    resolve_project,
)

FAST_RETRY = RetryPolicy(max_retries=1, backoff_initial=0.01, backoff_max=0.05)


def api_client(sandbox):
    config = sandbox.config["ovh"]
    return OvhClient(config["endpoint"], config["application_key"], config["application_secret"], config["consumer_key"],
                     retry=FAST_RETRY)


def swift_account(provider):
    swift = pytest.importorskip("ovhub_jupyter.core.swift", reason="the Swift core is not installed")
    return swift.SwiftAccount(provider)


def test_account_names_are_parsed():
    assert parse_storage_account_name("ovh:abc:gra") == ("abc", "gra")
    assert parse_storage_account_name("ovh:abc") == ("abc", None)
    for bad in ("ovh:", "ovh::GRA", "ovh:a:b:c", "swift:a"):
        with pytest.raises(errors.InvalidInputError):
            parse_storage_account_name(bad)


def test_projects_and_containers_are_listed(sandbox):
    client = api_client(sandbox)
    project = sandbox.config["ovh"]["project_id"]

    projects = list_projects(client)
    containers = project_containers(client, project)

    assert project in projects
    assert containers
    assert {"name", "region", "storedBytes", "storedObjects"} <= set(containers[0])


def test_project_is_found_by_description(sandbox):
    client = api_client(sandbox)
    config = sandbox.config["ovh"]
    description = client.get(f"/cloud/project/{config['project_id']}")["description"]

    assert resolve_project(client, description) == config["project_id"]
    with pytest.raises(errors.NotFoundError):
        resolve_project(client, "no-such-project")


def test_storage_access_feeds_swift_listing(sandbox):
    client = api_client(sandbox)
    project = sandbox.config["ovh"]["project_id"]
    provider = PublicCloudStorageAccess(client, project, "gra")
    account = swift_account(provider)

    account.create_container("made-through-storage-access")
    names = {c.name for c in account.list_containers()}

    assert "made-through-storage-access" in names
    credentials = provider.get()
    assert credentials.storage_url.endswith(f"AUTH_{project}")
    assert credentials.expires_at is not None
    assert credentials.token not in repr(credentials)


def test_storage_access_assumes_a_day(sandbox):
    import time

    provider = PublicCloudStorageAccess(api_client(sandbox), sandbox.config["ovh"]["project_id"], "SBG")
    before = time.time()

    credentials = provider.get()

    assert before + STORAGE_ACCESS_TTL - 5 <= credentials.expires_at <= time.time() + STORAGE_ACCESS_TTL


def test_storage_access_without_region_takes_first(sandbox):
    config = sandbox.config["ovh"]
    provider = PublicCloudStorageAccess(api_client(sandbox), config["project_id"])

    provider.get()

    assert provider.region == config["regions"][0]


def test_unknown_region_lists_known_ones(sandbox):
    provider = PublicCloudStorageAccess(api_client(sandbox), sandbox.config["ovh"]["project_id"], "XYZ")

    with pytest.raises(errors.NotFoundError) as caught:
        provider.get()

    assert "GRA" in caught.value.hint


def test_storage_token_refetched_after_401(sandbox):
    client = api_client(sandbox)
    provider = PublicCloudStorageAccess(client, sandbox.config["ovh"]["project_id"], "GRA")
    account = swift_account(provider)
    account.list_containers()
    first = provider.get().token

    sandbox.expire_tokens()
    account.list_containers()

    assert provider.get().token != first


def test_provider_pickles_without_token(sandbox):
    provider = PublicCloudStorageAccess(api_client(sandbox), sandbox.config["ovh"]["project_id"], "GRA")
    token = provider.get().token

    copy = pickle.loads(pickle.dumps(provider))

    assert token.encode() not in pickle.dumps(provider)
    assert copy.get().storage_url == provider.get().storage_url


def test_resolver_builds_ovh_storage_account(sandbox):
    registry = AccountRegistry()
    registry.register(Account(name="ovh", kind="ovh", endpoint="x", client=api_client(sandbox), source="ovh.conf"))
    register_ovh_storage_resolver(registry)
    project = sandbox.config["ovh"]["project_id"]

    account = registry.get(f"ovh:{project}:GRA")
    registry.set_default(account.name)

    assert account.kind == "ovh-storage"
    assert account.has_storage
    assert registry.get(f"ovh:{project}:GRA") is account
    assert registry.default == f"ovh:{project}:GRA"
    assert isinstance(swift_account(account.provider).list_containers(), list)
    assert account.provider.signed_in


def test_resolver_without_api_account_says_what_to_do():
    registry = AccountRegistry()
    register_ovh_storage_resolver(registry)

    with pytest.raises(errors.AccountNotFoundError) as caught:
        registry.get("ovh:abc:GRA")

    assert "%ovh_login" in caught.value.hint


def test_created_openstack_user_feeds_swift_listing(sandbox):
    pytest.importorskip("ovhub_jupyter.core.keystone", reason="the Keystone core is not installed")
    client = api_client(sandbox)
    project = sandbox.config["ovh"]["project_id"]
    users_before = client.get(f"/cloud/project/{project}/user")

    provider = OpenStackUserCredentials(client, project, "GRA", create_user=True)
    account = swift_account(provider)
    account.create_container("made-by-openstack-user")

    assert "made-by-openstack-user" in {c.name for c in account.list_containers()}
    assert provider.get().storage_url.endswith(f"AUTH_{project}")
    assert provider.user["status"] == "ok"
    assert "password" not in provider.user
    assert len(client.get(f"/cloud/project/{project}/user")) == len(users_before) + 1
    client.delete(f"/cloud/project/{project}/user/{provider.user_id}")


def test_existing_openstack_user_is_not_changed(sandbox):
    pytest.importorskip("ovhub_jupyter.core.keystone", reason="the Keystone core is not installed")
    keystone = sandbox.config["keystone"]
    client = api_client(sandbox)
    before = sandbox.request_count()

    provider = OpenStackUserCredentials(client, keystone["project_id"], "GRA", username=keystone["username"],
                                        password=keystone["password"])
    credentials = provider.get()

    assert credentials.storage_url.endswith(f"AUTH_{keystone['project_id']}")
    posts = [r for r in sandbox.requests()[-(sandbox.request_count() - before):] if r["method"] == "POST" and "/user" in r["path"]]
    assert posts == []
    assert keystone["password"] not in repr(provider)


def test_openstack_user_needs_credentials_or_creation(sandbox):
    with pytest.raises(errors.InvalidInputError):
        OpenStackUserCredentials(api_client(sandbox), "abc", "GRA", username="someone")


def test_webstorage_feeds_swift_listing(sandbox):
    pytest.importorskip("ovhub_jupyter.core.keystone", reason="the Keystone core is not installed")
    client = api_client(sandbox)
    service = client.get("/cdn/webstorage")[0]

    provider = WebstorageCredentials(client, service)
    containers = swift_account(provider).list_containers()

    assert isinstance(containers, list)
    assert provider.get().token
