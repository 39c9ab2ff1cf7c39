"""Public Cloud routes: projects, object storage, OpenStack users and their S3 keys.

Containers and Swift tokens come from the Swift emulation and OpenStack users live in the
Keystone emulation, so a token or a user made here works there as it does on OVHcloud.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
import threading
from dataclasses import dataclass, field
from typing import Any

from ..state import SandboxState
from .common import iso_datetime, optional_string, request_base_url
from .responses import ApiError, bad_request, no_content, not_found, object_not_found
from .routing import Call, Router

# Seconds a new OpenStack user stays in the "creating" state before it turns "ok".
USER_CREATION_SECONDS = 2

# Length of generated OpenStack passwords.
USER_PASSWORD_LENGTH = 32

# Roles an OpenStack user of a Public Cloud project can get, with their descriptions.
ROLES = {
    "administrator": "Administrator",
    "ai_training_operator": "AI Training Operator",
    "ai_training_read": "AI Training Read",
    "authentication": "Authentication",
    "backup_operator": "Backup Operator",
    "compute_operator": "Compute Operator",
    "image_operator": "Image Operator",
    "infrastructure_supervisor": "Infrastructure Supervisor",
    "network_operator": "Network Operator",
    "network_security_operator": "Network Security Operator",
    "objectstore_operator": "ObjectStore Operator",
    "volume_operator": "Volume Operator",
}

# Role given when the creation request names none.
# NOTE: the real default is unverified. Administrator lets the user reach object storage.
DEFAULT_ROLE = "administrator"


def _role_view(name: str) -> dict[str, Any]:
    return {"id": hashlib.md5(name.encode("ascii")).hexdigest(), "name": name, "description": ROLES[name]}


def container_id(region: str, name: str) -> str:
    """Return the id the API gives a container: base64 of ``<region>:<name>``.

    NOTE: the real id format is unverified, so clients should only pass it back.
    """
    return base64.b64encode(f"{region}:{name}".encode("utf-8")).decode("ascii")


@dataclass
class OpenStackUser:
    """An OpenStack user made through the API, mirrored in the Keystone emulation."""

    id: int
    username: str
    keystone_id: str
    description: str
    roles: list[str]
    created_at: float
    # S3 keys of the user: access key to secret key.
    s3_keys: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"OpenStackUser(id={self.id}, username={self.username!r})"

    def view(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "description": self.description,
            "status": "creating" if now - self.created_at < USER_CREATION_SECONDS else "ok",
            "roles": [_role_view(role) for role in self.roles],
            "creationDate": iso_datetime(self.created_at),
            "openstackId": self.keystone_id,
        }


class CloudRoutes:
    """``/cloud/project/...``."""

    def __init__(self, state: SandboxState, swift: Any, keystone: Any) -> None:
        self.state = state
        self.swift = swift
        self.keystone = keystone
        self._lock = threading.Lock()
        self._users: dict[int, OpenStackUser] = {}
        self._next_user_id = 1
        self._description: str | None = None

    def reset(self) -> None:
        with self._lock:
            self._users.clear()
            self._next_user_id = 1
            self._description = None

    def register(self, router: Router) -> None:
        router.add("GET", "/cloud/project", self.list_projects)
        router.add("GET", "/cloud/project/{serviceName}", self.get_project)
        router.add("PUT", "/cloud/project/{serviceName}", self.put_project)
        router.add("GET", "/cloud/project/{serviceName}/storage", self.list_containers)
        router.add("POST", "/cloud/project/{serviceName}/storage/access", self.storage_access)
        router.add("GET", "/cloud/project/{serviceName}/user", self.list_users)
        router.add("POST", "/cloud/project/{serviceName}/user", self.create_user)
        router.add("GET", "/cloud/project/{serviceName}/user/{userId}", self.get_user)
        router.add("DELETE", "/cloud/project/{serviceName}/user/{userId}", self.delete_user)
        router.add("POST", "/cloud/project/{serviceName}/user/{userId}/regeneratePassword", self.regenerate_password)
        router.add("GET", "/cloud/project/{serviceName}/user/{userId}/openrc", self.openrc)
        router.add("GET", "/cloud/project/{serviceName}/user/{userId}/s3Credentials", self.list_s3_keys)
        router.add("POST", "/cloud/project/{serviceName}/user/{userId}/s3Credentials", self.create_s3_key)
        router.add("GET", "/cloud/project/{serviceName}/user/{userId}/s3Credentials/{access}", self.get_s3_key)
        router.add("DELETE", "/cloud/project/{serviceName}/user/{userId}/s3Credentials/{access}", self.delete_s3_key)
        router.add("POST", "/cloud/project/{serviceName}/user/{userId}/s3Credentials/{access}/secret", self.get_s3_secret)

    # -- projects -------------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        return self.state.demo["ovh"]["project_id"]

    @property
    def regions(self) -> list[str]:
        return list(self.state.demo["ovh"]["regions"])

    def _check_project(self, call: Call) -> str:
        if call.params["serviceName"] != self.project_id:
            raise ApiError(not_found("This service does not exist"))
        return self.project_id

    def list_projects(self, call: Call) -> list[str]:
        return [self.project_id]

    def get_project(self, call: Call) -> dict[str, Any]:
        project_id = self._check_project(call)
        with self._lock:
            description = self._description
        return {
            "project_id": project_id,
            "projectName": self.state.demo["ovh"]["project_name"],
            "description": description if description is not None else self.state.demo["ovh"]["project_name"],
            "planCode": "project.2018",
            "status": "ok",
            "access": "full",
            "unleash": False,
            "manualQuota": False,
            "expiration": None,
            "orderId": None,
            "creationDate": iso_datetime(self.state.now() - 86400 * 400),
        }

    def put_project(self, call: Call) -> None:
        self._check_project(call)
        body = call.body_object()
        unknown = sorted(set(body) - {"description"})
        if unknown:
            raise ApiError(bad_request(f"Unknown or read-only properties: {', '.join(unknown)}"))
        description = optional_string(body, "description")
        with self._lock:
            self._description = description
        return None

    # -- object storage -------------------------------------------------------------------

    def list_containers(self, call: Call) -> list[dict[str, Any]]:
        project_id = self._check_project(call)
        containers = []
        for region in self.regions:
            cluster = region.lower()
            self.swift.ensure_account(cluster, project_id)
            for container in self.swift.account_containers(cluster, project_id):
                containers.append(
                    {
                        "id": container_id(region, container["name"]),
                        "name": container["name"],
                        "region": region,
                        "storedBytes": container["bytes"],
                        "storedObjects": container["count"],
                    }
                )
        return containers

    def storage_access(self, call: Call) -> dict[str, Any]:
        project_id = self._check_project(call)
        clusters = [region.lower() for region in self.regions]
        for cluster in clusters:
            self.swift.ensure_account(cluster, project_id)
        token = self.swift.issue_token([(cluster, project_id) for cluster in clusters])
        return {
            "token": token.value,
            "endpoints": [{"region": region, "url": self.swift.storage_url(region.lower(), project_id)} for region in self.regions],
        }

    # -- OpenStack users ------------------------------------------------------------------

    def _user(self, call: Call) -> OpenStackUser:
        self._check_project(call)
        value = call.params["userId"]
        with self._lock:
            user = self._users.get(int(value)) if value.isdigit() else None
        if user is None:
            raise ApiError(object_not_found("userId", value))
        return user

    def _roles_from(self, body: dict[str, Any]) -> list[str]:
        role = body.get("role")
        roles = body.get("roles")
        if roles is None:
            roles = [role] if role is not None else [DEFAULT_ROLE]
        if not isinstance(roles, list) or not roles or not all(isinstance(name, str) for name in roles):
            raise ApiError(bad_request("Invalid value for property roles: expected a list of role names"))
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise ApiError(bad_request(f"Unknown role {unknown[0]!r}; expected one of {', '.join(ROLES)}"))
        return roles

    def list_users(self, call: Call) -> list[dict[str, Any]]:
        self._check_project(call)
        with self._lock:
            users = sorted(self._users.values(), key=lambda user: user.id)
        return [user.view(call.now) for user in users]

    def create_user(self, call: Call) -> dict[str, Any]:
        project_id = self._check_project(call)
        body = call.body_object()
        description = optional_string(body, "description") or ""
        roles = self._roles_from(body)
        password = _random_password()
        with self._lock:
            user = OpenStackUser(
                id=self._next_user_id,
                username="user-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12)),
                keystone_id=secrets.token_hex(16),
                description=description,
                roles=roles,
                created_at=call.now,
            )
            self._next_user_id += 1
        # NOTE: the Keystone user exists at once, so it can get tokens while the API still
        # reports "creating". On OVHcloud a login may fail until the status is "ok".
        self.keystone.create_user(
            user_id=user.keystone_id, username=user.username, password=password, project_id=project_id, description=description
        )
        with self._lock:
            self._users[user.id] = user
        return {**user.view(call.now), "password": password}

    def get_user(self, call: Call) -> dict[str, Any]:
        return self._user(call).view(call.now)

    def delete_user(self, call: Call) -> Any:
        user = self._user(call)
        self.keystone.delete_user(user.keystone_id)
        with self._lock:
            self._users.pop(user.id, None)
        return no_content()

    def regenerate_password(self, call: Call) -> dict[str, Any]:
        user = self._user(call)
        password = _random_password()
        self.keystone.set_password(user.keystone_id, password)
        return {**user.view(call.now), "password": password}

    def openrc(self, call: Call) -> dict[str, str]:
        user = self._user(call)
        region = call.query.get("region")
        if not region:
            raise ApiError(bad_request("Missing parameter: region"))
        if region.upper() not in self.regions:
            raise ApiError(bad_request(f"Invalid region {region!r}; this project has {', '.join(self.regions)}"))
        return {"content": _openrc_text(request_base_url(call.request) + "/v3", self.project_id, user.username, region.upper())}

    # -- S3 keys ---------------------------------------------------------------------------

    def _s3_view(self, user: OpenStackUser, access: str) -> dict[str, str]:
        return {"access": access, "tenantId": self.project_id, "userId": user.keystone_id}

    def _s3_access(self, call: Call, user: OpenStackUser) -> str:
        access = call.params["access"]
        with self._lock:
            if access not in user.s3_keys:
                raise ApiError(object_not_found("access", access))
        return access

    def list_s3_keys(self, call: Call) -> list[dict[str, str]]:
        user = self._user(call)
        with self._lock:
            keys = list(user.s3_keys)
        return [self._s3_view(user, access) for access in keys]

    def create_s3_key(self, call: Call) -> dict[str, str]:
        user = self._user(call)
        access, secret = secrets.token_hex(16), secrets.token_hex(16)
        with self._lock:
            user.s3_keys[access] = secret
        return {**self._s3_view(user, access), "secret": secret}

    def get_s3_key(self, call: Call) -> dict[str, str]:
        user = self._user(call)
        return self._s3_view(user, self._s3_access(call, user))

    def get_s3_secret(self, call: Call) -> dict[str, str]:
        user = self._user(call)
        access = self._s3_access(call, user)
        with self._lock:
            return {"secret": user.s3_keys[access]}

    def delete_s3_key(self, call: Call) -> Any:
        user = self._user(call)
        access = self._s3_access(call, user)
        with self._lock:
            user.s3_keys.pop(access, None)
        return no_content()


def _random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(USER_PASSWORD_LENGTH))


def _openrc_text(auth_url: str, project_id: str, username: str, region: str) -> str:
    """Return an openrc.sh for the user, with the variables OVHcloud's file sets."""
    return (
        "#!/bin/bash\n"
        "# OpenStack credentials for the ovhub_jupyter sandbox.\n"
        "# Source this file, then enter the user's password when asked.\n"
        f"export OS_AUTH_URL={auth_url}\n"
        "export OS_IDENTITY_API_VERSION=3\n"
        'export OS_USER_DOMAIN_NAME=${OS_USER_DOMAIN_NAME:-"Default"}\n'
        'export OS_PROJECT_DOMAIN_NAME=${OS_PROJECT_DOMAIN_NAME:-"Default"}\n'
        f"export OS_TENANT_ID={project_id}\n"
        f"export OS_PROJECT_ID={project_id}\n"
        f'export OS_USERNAME="{username}"\n'
        'echo "Please enter your OpenStack Password: "\n'
        "read -sr OS_PASSWORD_INPUT\n"
        "export OS_PASSWORD=$OS_PASSWORD_INPUT\n"
        f'export OS_REGION_NAME="{region}"\n'
        'if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi\n'
    )
