"""OVHcloud object storage reached through the OVHcloud API: projects, containers, Swift credentials.

Three providers turn an API account into Swift credentials for ``swift.py``:

- ``PublicCloudStorageAccess``: ``POST /cloud/project/{sn}/storage/access`` returns a Swift
  token and a storage URL for each region (the simplest; the account's consumer key needs
  that call granted);
- ``OpenStackUserCredentials``: Keystone v3 with an OpenStack user of the project, an
  existing one given by name and password or one created on request;
- ``WebstorageCredentials``: legacy CDN webstorage, whose ``/credentials`` call gives a
  Keystone v2.0 login.

``resolve_ovh_storage_account`` lets the account registry build ``ovh:PROJECT:REGION``
(or ``ovh:PROJECT`` for the project's first region) from the registered ``ovh`` account.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from . import errors
from .accounts import Account, AccountRegistry
from .credentials import CredentialProvider, SwiftCredentials
from .errors import secret_prefix
from .ovh import OvhClient, api_root

logger = logging.getLogger(__name__)

# Name prefix of the accounts ``resolve_ovh_storage_account`` builds.
ACCOUNT_PREFIX = "ovh:"

# Lifetime assumed for a storage access token when the API gives no expiry. Keystone
# tokens of OVHcloud Public Cloud last 24 hours; the access call returns one of them.
# NOTE: an assumption; a token that ends sooner is fetched again on its first 401.
STORAGE_ACCESS_TTL = 24 * 3600.0

# Keystone v3 URL of Public Cloud for the named API endpoints.
KEYSTONE_URLS = {
    "ovh-eu": "https://auth.cloud.ovh.net/v3",
    "ovh-ca": "https://auth.cloud.ovh.net/v3",
}

# Waits while a new OpenStack user goes from "creating" to "ok": between polls, and in all.
USER_POLL_INTERVAL = 2.0
USER_CREATION_TIMEOUT = 120.0


def list_projects(client: OvhClient) -> list[str]:
    """Return the Public Cloud project ids of the account (``GET /cloud/project``)."""
    return list(client.get("/cloud/project"))


def project_details(client: OvhClient, project: str) -> dict[str, Any]:
    """Return a project's details: description, status, creation date, ..."""
    return client.get(f"/cloud/project/{project}")


def project_containers(client: OvhClient, project: str) -> list[dict[str, Any]]:
    """Return the project's containers: ``[{id, name, region, storedBytes, storedObjects}]``."""
    return list(client.get(f"/cloud/project/{project}/storage"))


def resolve_project(client: OvhClient, project: str) -> str:
    """Return the id of a project given by id or by its description (its name in the Control Panel)."""
    projects = list_projects(client)
    if project in projects:
        return project
    for project_id in projects:
        details = project_details(client, project_id)
        if details.get("description") == project or details.get("projectName") == project:
            return project_id
    raise errors.NotFoundError(
        f"no Public Cloud project {project!r}",
        service="ovh",
        hint="known projects: " + (", ".join(projects) or "none"),
    )


def keystone_url_for(client: OvhClient) -> str:
    """Return the Keystone v3 URL of the client's endpoint.

    NOTE: for a base URL that is not a named endpoint (the sandbox, a proxy), Keystone is
    assumed at ``<API root>/v3``. Pass ``auth_url`` where that is wrong.
    """
    named = KEYSTONE_URLS.get(client.endpoint_name or "")
    if named:
        return named
    if client.endpoint_name is not None:
        raise errors.ConfigError(
            f"no Keystone URL is known for the {client.endpoint_name} endpoint",
            hint="give the Keystone v3 URL of the project's OpenStack (auth_url)",
        )
    return api_root(client.base_url) + "/v3"


class PublicCloudStorageAccess(CredentialProvider):
    """Swift credentials from ``POST /cloud/project/{sn}/storage/access`` for one region.

    With ``region=None`` the first region the API lists is used.
    """

    kind = "ovh-storage"

    def __init__(self, client: OvhClient, project: str, region: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self.project = project
        self.region = region.upper() if region else None
        self._project_id: str | None = None

    def __repr__(self) -> str:
        return f"PublicCloudStorageAccess(project={self.project!r}, region={self.region!r})"

    @property
    def endpoint(self) -> str:
        return f"{self.client.base_url}/cloud/project/{self.project}/storage/access"

    def fetch(self) -> SwiftCredentials:
        if self._project_id is None:
            self._project_id = resolve_project(self.client, self.project)
        started = time.time()
        answer = self.client.post(f"/cloud/project/{self._project_id}/storage/access")
        token = answer.get("token") if isinstance(answer, dict) else None
        endpoints = answer.get("endpoints") if isinstance(answer, dict) else None
        if not token or not isinstance(endpoints, list):
            raise errors.InvalidResponseError(
                "the storage access response has no token or endpoints",
                operation="POST",
                target=f"/cloud/project/{self._project_id}/storage/access",
                service="ovh",
            )
        url = self._storage_url(endpoints)
        logger.info("got a storage token %s for project %s in %s", secret_prefix(token), self._project_id, self.region)
        return SwiftCredentials(url, token, started + STORAGE_ACCESS_TTL)

    def _storage_url(self, endpoints: list[dict[str, Any]]) -> str:
        regions = [str(e.get("region", "")).upper() for e in endpoints]
        if not endpoints:
            raise errors.NotFoundError(
                f"project {self.project} has no object storage region", service="ovh",
                hint="enable object storage in the project, then try again",
            )
        if self.region is None:
            self.region = regions[0]
        for endpoint, region in zip(endpoints, regions):
            if region == self.region:
                return str(endpoint["url"])
        raise errors.NotFoundError(
            f"project {self.project} has no object storage in region {self.region}",
            service="ovh",
            hint="regions of the project: " + ", ".join(regions),
        )


class OpenStackUserCredentials(CredentialProvider):
    """Swift credentials from Keystone v3 with an OpenStack user of a Public Cloud project.

    Give ``username`` and ``password`` of an existing user, or ``create_user=True`` to
    create one with ``POST /cloud/project/{sn}/user``. The API returns the new password
    only in that response, and this provider keeps it in memory only. An existing user's password is regenerated only with
    ``regenerate_password=True`` and ``user_id``, because that breaks every other
    program that uses it.
    """

    kind = "ovh-storage"

    def __init__(
        self,
        client: OvhClient,
        project: str,
        region: str,
        *,
        username: str | None = None,
        password: str | None = None,
        user_id: str | None = None,
        create_user: bool = False,
        regenerate_password: bool = False,
        description: str = "ovhub_jupyter",
        role: str = "objectstore_operator",
        auth_url: str | None = None,
        keystone_factory: Callable[..., CredentialProvider] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not create_user and not (username and password) and not (regenerate_password and user_id):
            raise errors.InvalidInputError(
                "an OpenStack user needs a username and password",
                hint="give both, pass create_user=True to create a user, or user_id with regenerate_password=True",
            )
        self.client = client
        self.project = project
        self.region = region.upper()
        self.username = username
        self._password = password
        self.user_id = user_id
        self.create_user = create_user
        self.regenerate_password = regenerate_password
        self.description = description
        self.role = role
        self.auth_url = auth_url or keystone_url_for(client)
        self._keystone_factory = keystone_factory
        self._keystone: CredentialProvider | None = None
        # The user created or changed by this provider, without its password.
        self.user: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"OpenStackUserCredentials(project={self.project!r}, region={self.region!r}, username={self.username!r})"

    @property
    def endpoint(self) -> str:
        return self.auth_url

    def fetch(self) -> SwiftCredentials:
        if self._password is None:
            self._obtain_user()
        if self._keystone is None:
            self._keystone = self._build_keystone()
        self._keystone.invalidate()
        return self._keystone.get()

    def _obtain_user(self) -> None:
        project = resolve_project(self.client, self.project)
        if self.regenerate_password and self.user_id:
            user = self.client.post(f"/cloud/project/{project}/user/{self.user_id}/regeneratePassword")
            logger.info("regenerated the password of OpenStack user %s", user.get("username"))
        else:
            user = self.client.post(f"/cloud/project/{project}/user", description=self.description, role=self.role)
            logger.info("created OpenStack user %s in project %s", user.get("username"), project)
        self._password = user.get("password")
        self.username = user.get("username")
        self.user_id = str(user.get("id"))
        self.user = {k: v for k, v in user.items() if k != "password"}
        if user.get("status") != "ok":
            self.user = self._wait_until_ready(project)
        # Only the first fetch creates a user; a later one reuses it.
        self.create_user = self.regenerate_password = False

    def _wait_until_ready(self, project: str) -> dict[str, Any]:
        deadline = time.monotonic() + USER_CREATION_TIMEOUT
        while True:
            user = self.client.get(f"/cloud/project/{project}/user/{self.user_id}")
            if user.get("status") == "ok":
                return {k: v for k, v in user.items() if k != "password"}
            if user.get("status") == "error" or time.monotonic() > deadline:
                raise errors.ServiceError(
                    f"OpenStack user {self.username} did not become ready (status {user.get('status')!r})",
                    service="ovh",
                    hint="check the user in the OVHcloud Control Panel, or create another one",
                )
            time.sleep(USER_POLL_INTERVAL)

    def _build_keystone(self) -> CredentialProvider:
        project = resolve_project(self.client, self.project)
        factory = self._keystone_factory or _keystone_v3_factory()
        return factory(
            auth_url=self.auth_url,
            username=self.username,
            password=self._password,
            project_id=project,
            region=self.region,
            user_domain_id="default",
        )


class WebstorageCredentials(CredentialProvider):
    """Swift credentials of a legacy CDN webstorage: ``/cdn/webstorage/{sn}/credentials``, then Keystone v2.0."""

    kind = "webstorage"

    def __init__(
        self,
        client: OvhClient,
        service_name: str,
        *,
        keystone_factory: Callable[..., CredentialProvider] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.client = client
        self.service_name = service_name
        self._keystone_factory = keystone_factory
        self._keystone: CredentialProvider | None = None

    def __repr__(self) -> str:
        return f"WebstorageCredentials(service_name={self.service_name!r})"

    @property
    def endpoint(self) -> str:
        return f"{self.client.base_url}/cdn/webstorage/{self.service_name}"

    def fetch(self) -> SwiftCredentials:
        if self._keystone is None:
            login = self.client.get(f"/cdn/webstorage/{self.service_name}/credentials")
            missing = [k for k in ("endpoint", "login", "password", "tenant") if not login.get(k)]
            if missing:
                raise errors.InvalidResponseError(
                    "the webstorage credentials lack " + ", ".join(missing),
                    operation="GET",
                    target=f"/cdn/webstorage/{self.service_name}/credentials",
                    service="ovh",
                )
            factory = self._keystone_factory or _keystone_v2_factory()
            self._keystone = factory(
                auth_url=login["endpoint"], username=login["login"], password=login["password"], tenant_name=login["tenant"]
            )
        self._keystone.invalidate()
        return self._keystone.get()


def _keystone_v3_factory() -> Callable[..., CredentialProvider]:
    try:
        from .keystone import KeystoneV3Provider
    except ImportError:
        raise errors.ConfigError(
            "Keystone v3 support is not available in this installation",
            hint="use the storage access token (ovh:PROJECT:REGION) instead",
        ) from None
    return KeystoneV3Provider


def _keystone_v2_factory() -> Callable[..., CredentialProvider]:
    try:
        from .keystone import KeystoneV2Provider
    except ImportError:
        raise errors.ConfigError(
            "Keystone v2.0 support is not available in this installation",
            hint="webstorage accounts need it; update ovhub_jupyter",
        ) from None
    return KeystoneV2Provider


def parse_storage_account_name(name: str) -> tuple[str, str | None]:
    """Split ``ovh:PROJECT:REGION`` (or ``ovh:PROJECT``) into the project and the region."""
    if not name.startswith(ACCOUNT_PREFIX):
        raise errors.InvalidInputError(f"invalid OVHcloud storage account {name!r}", hint="write ovh:PROJECT:REGION")
    project, _, region = name[len(ACCOUNT_PREFIX):].partition(":")
    if not project or ":" in region:
        raise errors.InvalidInputError(
            f"invalid OVHcloud storage account {name!r}", hint="write ovh:PROJECT:REGION, such as ovh:0123abcd:GRA"
        )
    return project, region or None


def resolve_ovh_storage_account(registry: AccountRegistry, name: str) -> Account:
    """Build the ``ovh-storage`` account ``ovh:PROJECT[:REGION]`` from the registered ``ovh`` account."""
    project, region = parse_storage_account_name(name)
    try:
        api_account = registry.get("ovh")
    except errors.AccountNotFoundError:
        raise errors.AccountNotFoundError(
            f"no account named {name!r}: it needs the OVHcloud API account 'ovh'",
            hint="configure keys in ovh.conf, or sign in with %ovh_login",
        ) from None
    client = api_account.client
    if not isinstance(client, OvhClient):
        raise errors.ConfigError(f"account 'ovh' is not an OVHcloud API account (kind {api_account.kind})")
    provider = PublicCloudStorageAccess(client, project, region)
    return Account(
        name=name,
        kind="ovh-storage",
        endpoint=provider.endpoint,
        provider=provider,
        client=client,
        source=api_account.source,
        extra={"project": project, "region": region},
    )


def register_ovh_storage_resolver(registry: AccountRegistry) -> None:
    """Let ``registry`` build ``ovh:PROJECT:REGION`` accounts on first use."""
    registry.add_resolver(ACCOUNT_PREFIX, resolve_ovh_storage_account)

