"""OVHcloud API keys from ovh.conf and ``OVH_*`` variables, and the accounts configuration defines.

Keys are read as python-ovh 1.2.0 reads them, so one ``ovh.conf`` serves both:

- INI files ``/etc/ovh.conf``, ``~/.ovh.conf`` and ``./ovh.conf``, later ones winning key by
  key; a file passed explicitly wins over those three;
- environment variables ``OVH_ENDPOINT``, ``OVH_APPLICATION_KEY``, ``OVH_APPLICATION_SECRET``,
  ``OVH_CONSUMER_KEY``, ``OVH_CLIENT_ID``, ``OVH_CLIENT_SECRET`` win over every file;
- the endpoint comes from ``[default] endpoint=``, the keys from the section named after it.

Unlike python-ovh, ``./ovh.conf`` is looked up in the working directory of each call, not
the one at import time, so ``%cd`` in a notebook takes effect.

``configured_accounts`` turns configuration into registry accounts: ``ovh`` when API keys
are set, and one account per section of ovhub.conf. Kinds other than the ones built here
(hubiC's, for one) are built by a factory that their module registers with
``register_account_factory``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import configfile, errors
from .accounts import REGISTRY, Account, AccountRegistry
from .credentials import StaticCredentials
from .errors import secret_prefix

logger = logging.getLogger(__name__)

# ovh.conf files by increasing priority; "ovh.conf" alone is relative to the working directory.
SYSTEM_CONFIG_FILE = Path("/etc/ovh.conf")
USER_CONFIG_FILE = "~/.ovh.conf"
LOCAL_CONFIG_FILE = "ovh.conf"

# Keys of an endpoint's section, each also read from OVH_<KEY upper case>.
OVH_KEYS = ("application_key", "application_secret", "consumer_key", "client_id", "client_secret")

# Keys whose values are secrets: shown as prefixes only.
SECRET_KEYS = frozenset({"application_secret", "consumer_key", "client_secret"})

# An account factory builds an Account from its ovhub.conf section name and keys.
AccountFactory = Callable[[str, Mapping[str, str]], Account]

# Factories for account kinds built outside this module, by kind ("hubic": core/hubic.py).
ACCOUNT_FACTORIES: dict[str, AccountFactory] = {}


def register_account_factory(kind: str, factory: AccountFactory) -> None:
    """Let ``configured_accounts`` build ovhub.conf accounts of ``kind`` with ``factory``."""
    ACCOUNT_FACTORIES[kind] = factory


@dataclass(repr=False)
class OvhConfig:
    """OVHcloud API settings after every file and variable was applied."""

    endpoint: str | None = None
    application_key: str | None = None
    application_secret: str | None = None
    consumer_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    # Where each value came from: a file path or "environment".
    sources: dict[str, str] = field(default_factory=dict)
    # Files that exist and were read, in the order applied.
    files: list[Path] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = []
        for name in ("endpoint",) + OVH_KEYS:
            value = getattr(self, name)
            if value is None:
                continue
            shown.append(f"{name}={secret_prefix(value) if name in SECRET_KEYS else value!r}")
        return "OvhConfig(" + ", ".join(shown) + ")"

    @property
    def has_application_keys(self) -> bool:
        """True when an application key and its secret are set."""
        return bool(self.application_key and self.application_secret)

    @property
    def has_service_account(self) -> bool:
        """True when an OAuth2 client id and secret are set."""
        return bool(self.client_id and self.client_secret)

    @property
    def source(self) -> str:
        """"environment" when any key came from a variable, else "ovh.conf"."""
        return "environment" if "environment" in self.sources.values() else "ovh.conf"

    def client(self, **kwargs: Any) -> Any:
        """Build an ``OvhClient`` from these settings; ``kwargs`` go to its constructor."""
        from .ovh import OvhClient

        if not self.endpoint:
            raise errors.ConfigError(
                "no OVHcloud API endpoint is configured",
                hint="set [default] endpoint=ovh-eu in ~/.ovh.conf, or OVH_ENDPOINT",
            )
        if self.has_service_account:
            return OvhClient(self.endpoint, client_id=self.client_id, client_secret=self.client_secret, **kwargs)
        return OvhClient(self.endpoint, self.application_key, self.application_secret, self.consumer_key, **kwargs)


def ovh_config_files(cwd: str | Path | None = None) -> list[Path]:
    """Return the ovh.conf files in increasing priority, with ``./ovh.conf`` taken from ``cwd`` (now by default)."""
    local = Path(cwd if cwd is not None else os.getcwd()) / LOCAL_CONFIG_FILE
    return [SYSTEM_CONFIG_FILE, Path(USER_CONFIG_FILE).expanduser(), local]


def load_ovh_config(
    config_file: str | Path | None = None,
    *,
    endpoint: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    files: list[Path] | None = None,
) -> OvhConfig:
    """Read the OVHcloud API settings with python-ovh's precedence.

    ``endpoint`` overrides every other source, as python-ovh's ``Client(endpoint=...)`` does.
    ``files`` replaces the three default locations (tests, tools).
    """
    environ = os.environ if environ is None else environ
    paths = list(files if files is not None else ovh_config_files(cwd))
    if config_file is not None:
        paths.append(Path(config_file).expanduser())

    merged, origins, read = _merge_files(paths)
    config = OvhConfig(files=read)

    config.endpoint = _pick("OVH_ENDPOINT", environ, merged, origins, "default", "endpoint", config.sources, "endpoint")
    if endpoint:
        config.endpoint = endpoint
        config.sources["endpoint"] = "argument"
    for key in OVH_KEYS:
        value = _pick("OVH_" + key.upper(), environ, merged, origins, config.endpoint, key, config.sources, key)
        setattr(config, key, value)
    return config


def _merge_files(paths: list[Path]) -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], str], list[Path]]:
    """Merge INI files key by key; return the values, the file each came from, and the files read."""
    merged: dict[str, dict[str, str]] = {}
    origins: dict[tuple[str, str], str] = {}
    read = []
    for path in paths:
        if not path.is_file():
            continue
        parser = configfile.read_ini(path)
        read.append(path)
        for section in parser.sections():
            for key, value in parser.items(section):
                merged.setdefault(section, {})[key] = value
                origins[(section, key)] = str(path)
    return merged, origins, read


def _pick(
    variable: str,
    environ: Mapping[str, str],
    merged: dict[str, dict[str, str]],
    origins: dict[tuple[str, str], str],
    section: str | None,
    key: str,
    sources: dict[str, str],
    name: str,
) -> str | None:
    value = environ.get(variable)
    if value:
        sources[name] = "environment"
        return value
    if section is None:
        return None
    value = merged.get(section, {}).get(key)
    if value:
        sources[name] = origins[(section, key)]
        return value
    return None


def save_ovh_keys(
    endpoint: str,
    application_key: str,
    application_secret: str,
    consumer_key: str | None = None,
    path: str | Path | None = None,
    *,
    make_default: bool = True,
) -> Path:
    """Write API keys into an ovh.conf file (``~/.ovh.conf`` by default); return its path.

    Other sections and keys of the file are kept. ``make_default`` also sets
    ``[default] endpoint``. The file is replaced atomically and has mode 0600.
    """
    for label, value in (("endpoint", endpoint), ("application key", application_key), ("application secret", application_secret)):
        if not value:
            raise errors.InvalidInputError(f"cannot save keys: the {label} is missing", hint="give every key to save")
    target = Path(path if path is not None else USER_CONFIG_FILE).expanduser()
    parser = configfile.read_ini(target)

    if make_default:
        if not parser.has_section("default"):
            parser.add_section("default")
        parser.set("default", "endpoint", endpoint)
    if not parser.has_section(endpoint):
        parser.add_section(endpoint)
    parser.set(endpoint, "application_key", application_key)
    parser.set(endpoint, "application_secret", application_secret)
    if consumer_key:
        parser.set(endpoint, "consumer_key", consumer_key)

    configfile.write_ini_atomically(target, parser)
    logger.info("saved OVHcloud API keys for %s in %s", endpoint, target)
    return target


def ovh_conf_text(endpoint: str, application_key: str, application_secret: str, consumer_key: str | None = None) -> str:
    """Return the ovh.conf lines that configure these keys, secrets included (for the user to paste)."""
    lines = ["[default]", f"endpoint={endpoint}", "", f"[{endpoint}]",
             f"application_key={application_key}", f"application_secret={application_secret}"]
    if consumer_key:
        lines.append(f"consumer_key={consumer_key}")
    return "\n".join(lines) + "\n"


# -- accounts --------------------------------------------------------------------------------


def ovh_account(config: OvhConfig | None = None, **client_kwargs: Any) -> Account | None:
    """Return the ``ovh`` account when API keys or a service account are configured, else None."""
    config = config or load_ovh_config()
    if not config.endpoint or not (config.has_application_keys or config.has_service_account):
        return None
    client = config.client(**client_kwargs)
    return Account(name="ovh", kind="ovh", endpoint=client.base_url, client=client, source=config.source)


def configured_accounts(
    ovh_config: OvhConfig | None = None,
    ovhub_sections: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Account]:
    """Build the accounts that configuration defines: ``ovh``, then each ovhub.conf section.

    A section that cannot be built is logged and skipped, so one bad section does not hide
    the others.
    """
    accounts = []
    api_account = ovh_account(ovh_config)
    if api_account is not None:
        accounts.append(api_account)

    sections = configfile.ovhub_accounts() if ovhub_sections is None else ovhub_sections
    for name, values in sections.items():
        try:
            accounts.append(build_account(name, values, api_account))
        except errors.OvhubError as exc:
            logger.warning("skipped account %r of ovhub.conf: %s", name, exc)
    return accounts


def build_account(name: str, values: Mapping[str, str], api_account: Account | None = None) -> Account:
    """Build one account from its ovhub.conf section."""
    kind = values.get("kind", "")
    builders: dict[str, Callable[[str, Mapping[str, str], Account | None], Account]] = {
        "swift": _swift_account,
        "keystone": _keystone_account,
        "token": _token_account,
        "ovh-storage": _ovh_storage_account,
        "webstorage": _webstorage_account,
    }
    if kind in builders:
        return builders[kind](name, values, api_account)
    if kind in ACCOUNT_FACTORIES:
        return ACCOUNT_FACTORIES[kind](name, values)
    known = sorted(set(builders) | set(ACCOUNT_FACTORIES))
    raise errors.ConfigError(
        f"account {name!r} has an unknown kind {kind!r}",
        hint="set kind to one of " + ", ".join(known) + " in ovhub.conf",
    )


def _require(name: str, values: Mapping[str, str], *keys: str) -> None:
    missing = [key for key in keys if not values.get(key)]
    if missing:
        raise errors.ConfigError(
            f"account {name!r} ({values.get('kind')}) lacks " + ", ".join(missing),
            hint=f"add them to the [{name}] section of ovhub.conf",
        )


def _swift_account(name: str, values: Mapping[str, str], api_account: Account | None) -> Account:
    from .swift_auth import V1AuthProvider

    _require(name, values, "auth_url", "user", "key")
    provider = V1AuthProvider(values["auth_url"], values["user"], values["key"], storage_url=values.get("storage_url") or None)
    return Account(name=name, kind="swift", endpoint=values["auth_url"], provider=provider, source="ovhub.conf")


def _keystone_account(name: str, values: Mapping[str, str], api_account: Account | None) -> Account:
    from .ovh_storage import _keystone_v3_factory

    _require(name, values, "auth_url", "username", "password")
    options = {k: v for k, v in values.items() if k not in ("kind", "auth_url", "username", "password")}
    provider = _keystone_v3_factory()(auth_url=values["auth_url"], username=values["username"], password=values["password"], **options)
    return Account(name=name, kind="keystone", endpoint=values["auth_url"], provider=provider, source="ovhub.conf")


def _token_account(name: str, values: Mapping[str, str], api_account: Account | None) -> Account:
    _require(name, values, "storage_url", "token")
    provider = StaticCredentials(values["storage_url"], values["token"])
    return Account(name=name, kind="token", endpoint=values["storage_url"], provider=provider, source="ovhub.conf")


def _ovh_storage_account(name: str, values: Mapping[str, str], api_account: Account | None) -> Account:
    from .ovh_storage import PublicCloudStorageAccess

    _require(name, values, "project")
    client = _api_client(name, api_account)
    provider = PublicCloudStorageAccess(client, values["project"], values.get("region") or None)
    return Account(name=name, kind="ovh-storage", endpoint=provider.endpoint, provider=provider, client=client,
                   source="ovhub.conf", extra={"project": values["project"], "region": values.get("region")})


def _webstorage_account(name: str, values: Mapping[str, str], api_account: Account | None) -> Account:
    from .ovh_storage import WebstorageCredentials

    _require(name, values, "service_name")
    client = _api_client(name, api_account)
    provider = WebstorageCredentials(client, values["service_name"])
    return Account(name=name, kind="webstorage", endpoint=provider.endpoint, provider=provider, client=client, source="ovhub.conf")


def _api_client(name: str, api_account: Account | None) -> Any:
    if api_account is None:
        raise errors.ConfigError(
            f"account {name!r} needs OVHcloud API keys, and none are configured",
            hint="set them in ~/.ovh.conf (ovhub ovh-app writes them)",
        )
    return api_account.client


def register_configured_accounts(registry: AccountRegistry = REGISTRY, **kwargs: Any) -> list[Account]:
    """Register the configured accounts and the ``ovh:`` resolver; apply ``default_account``.

    ``kwargs`` go to ``configured_accounts``. Return the accounts registered.
    """
    from .ovh_storage import register_ovh_storage_resolver

    accounts = configured_accounts(**kwargs)
    for account in accounts:
        registry.register(account)
    register_ovh_storage_resolver(registry)

    default = configfile.ovhub_setting("default_account")
    if default:
        try:
            registry.set_default(default)
        except errors.OvhubError as exc:
            logger.warning("default_account %r of ovhub.conf is not usable: %s", default, exc)
    return accounts
