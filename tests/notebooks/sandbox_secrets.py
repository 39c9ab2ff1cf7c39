"""List every secret a running in-process sandbox holds, named by kind.

The leak test runs this module's source in the notebook's kernel after the last cell,
because ``%ovhub sandbox`` runs the sandbox inside the kernel, so only there can the
tokens it issued during the run be read. It imports nothing but the standard library, so the
kernel needs no access to the tests package.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# Fields of GET /_sandbox/config that are secrets, per section.
CONFIG_SECRETS = {
    "ovh": ("application_secret", "consumer_key", "password", "totp_secret", "client_secret"),
    "hubic": ("client_secret", "refresh_token", "password"),
    "swift": ("key",),
    "keystone": ("password",),
}

# Metadata names (lower case) whose values are Swift temp URL keys.
TEMP_URL_KEY_NAMES = (
    "x-account-meta-temp-url-key",
    "x-account-meta-temp-url-key-2",
    "x-container-meta-temp-url-key",
    "x-container-meta-temp-url-key-2",
)


def sandbox_secrets(sandbox: Any) -> list[dict[str, str]]:
    """Return ``[{"label": ..., "value": ...}]`` for every secret of ``sandbox``.

    ``sandbox`` is a started ``ovhub_jupyter.sandbox.Sandbox`` of this process. A label
    names the kind of secret (``hubic.refresh_token``, ``token swift``) so that a report
    can name what leaked without showing it.
    """
    found: list[dict[str, str]] = []

    def add(label: str, value: Any) -> None:
        if isinstance(value, str) and value:
            found.append({"label": label, "value": value})

    config = sandbox.config
    for section, fields in CONFIG_SECRETS.items():
        for field in fields:
            add(f"{section}.{field}", config[section][field])

    state = sandbox.app.state
    add("webstorage password", state.webstorage_credentials()["password"])

    # NOTE: the token registry has no public listing, so this reads its private dict. A
    # rename there makes this line fail loudly, not pass quietly.
    for token in list(state.tokens._tokens.values()):
        add(f"token {token.kind}", token.value)

    credentials = sandbox.app.services["ovh"].store
    for application in list(credentials.applications.values()):
        add("ovh application secret", application.application_secret)
    for consumer_key in list(credentials.consumer_keys.values()):
        add("ovh consumer key", consumer_key.consumer_key)
        add("ovh credential token", consumer_key.credential_token)

    for value in temp_url_keys(sandbox.app.services["swift"].store.database):
        add("swift temp URL key", value)
    return found


def temp_url_keys(database: Any) -> list[str]:
    """Return the temp URL keys set on any account or container of the sandbox's Swift store."""
    import json

    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT meta FROM accounts UNION ALL SELECT meta FROM containers").fetchall()
    finally:
        connection.close()
    keys = []
    for (meta,) in rows:
        for name, value in json.loads(meta or "{}").items():
            if name.lower() in TEMP_URL_KEY_NAMES:
                keys.append(value)
    return keys
