"""Fill the account registry from every source: configuration files, the environment, the sandbox.

``load_configured_accounts`` is what ``%load_ext ovhub_jupyter`` and ``%ovhub reload`` run:
ovh.conf and ``OVH_*`` give the ``ovh`` account, ovhub.conf gives one account per section,
``HUBIC_*`` variables give the ``hubic`` account. ``register_sandbox_accounts`` adds the
sandbox's demo accounts (``hubic``, ``ovh``, ``swift``) and makes ``hubic`` the default.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from . import config, errors, hubic
from .accounts import REGISTRY, Account, AccountRegistry
from .ovh import OvhClient
from .ovh_storage import register_ovh_storage_resolver
from .swift_auth import V1AuthProvider

logger = logging.getLogger(__name__)

# Source label of the accounts the sandbox registers, so they can be removed together.
SANDBOX_SOURCE = "sandbox"


def _hubic_from_section(name: str, values: Mapping[str, str]) -> Account:
    return hubic.load_account(name)


config.register_account_factory("hubic", _hubic_from_section)


def load_configured_accounts(registry: AccountRegistry = REGISTRY) -> list[str]:
    """Register the accounts that configuration defines; return their names.

    A broken file or section is logged as a warning and skipped, so it cannot stop the
    extension from loading.
    """
    names = []
    try:
        names = [account.name for account in config.register_configured_accounts(registry)]
    except errors.OvhubError as exc:
        logger.warning("configuration not loaded: %s", exc)

    if "hubic" not in names and os.environ.get("HUBIC_REFRESH_TOKEN"):
        try:
            registry.register(hubic.load_account("hubic"))
            names.append("hubic")
        except errors.OvhubError as exc:
            logger.warning("hubiC account from HUBIC_* variables not loaded: %s", exc)
    return names


def register_sandbox_accounts(registry: AccountRegistry, sandbox_config: Mapping[str, Any]) -> list[str]:
    """Register the sandbox's ``hubic``, ``ovh`` and ``swift`` accounts; ``hubic`` becomes the default."""
    hubic_settings = sandbox_config["hubic"]
    hubic_account = hubic.load_account(
        "hubic",
        environ={},
        use_config_file=False,
        client_id=hubic_settings["client_id"],
        client_secret=hubic_settings["client_secret"],
        refresh_token=hubic_settings["refresh_token"],
        redirect_uri=hubic_settings["redirect_uri"],
        auth_url=hubic_settings["auth_url"],
        token_url=hubic_settings["token_url"],
        api_url=hubic_settings["api_url"],
    )
    hubic_account.source = SANDBOX_SOURCE

    ovh_settings = sandbox_config["ovh"]
    client = OvhClient(
        ovh_settings["endpoint"],
        ovh_settings["application_key"],
        ovh_settings["application_secret"],
        ovh_settings["consumer_key"],
    )
    ovh_account = Account(name="ovh", kind="ovh", endpoint=client.base_url, client=client, source=SANDBOX_SOURCE)

    swift_settings = sandbox_config["swift"]
    provider = V1AuthProvider(swift_settings["auth_url"], swift_settings["user"], swift_settings["key"])
    swift_account = Account(
        name="swift", kind="swift", endpoint=swift_settings["auth_url"], provider=provider, source=SANDBOX_SOURCE
    )

    forget_sandbox_accounts(registry)
    for account in (hubic_account, ovh_account, swift_account):
        registry.register(account)
    register_ovh_storage_resolver(registry)
    registry.set_default("hubic")
    return [account.name for account in (hubic_account, ovh_account, swift_account)]


def forget_sandbox_accounts(registry: AccountRegistry) -> None:
    """Remove the sandbox's accounts and the ``ovh:...`` accounts built from its ``ovh`` account."""
    sandbox_client = None
    for account in registry.accounts():
        if account.source == SANDBOX_SOURCE and account.name == "ovh":
            sandbox_client = account.client
    for account in registry.accounts():
        built_from_sandbox = sandbox_client is not None and account.client is sandbox_client
        if account.source == SANDBOX_SOURCE or built_from_sandbox:
            registry.remove(account.name)
