"""Secrets stay out of reprs, storage options and logs. File systems pickle and rebuild elsewhere."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys

import dask.base
import pytest

from ovhub_jupyter.core.accounts import REGISTRY
from ovhub_jupyter.fs import HubicFileSystem, SwiftFileSystem
from ovhub_jupyter.fs_options import Secret

FAKE_SECRETS = {
    "token": "tok-5ecret-value-0001",
    "key": "key-5ecret-value-0002",
    "client_secret": "cs-5ecret-value-0003",
    "refresh_token": "rt-5ecret-value-0004",
    "application_key": "ak-5ecret-value-0005",
    "application_secret": "as-5ecret-value-0006",
    "consumer_key": "ck-5ecret-value-0007",
}

# One set of options for each way of naming an account; none of them sends a request.
OPTION_SETS = {
    "token": {"storage_url": "http://127.0.0.1:9/v1/AUTH_x", "token": FAKE_SECRETS["token"]},
    "v1": {"auth_url": "http://127.0.0.1:9/auth/v1.0", "user": "u:v", "key": FAKE_SECRETS["key"]},
    "hubic": {
        "client_id": "api_hubic_x",
        "client_secret": FAKE_SECRETS["client_secret"],
        "refresh_token": FAKE_SECRETS["refresh_token"],
        "token_url": "http://127.0.0.1:9/hubic/oauth/token/",
        "api_url": "http://127.0.0.1:9/hubic/1.0",
    },
    "ovh": {
        "ovh_endpoint": "http://127.0.0.1:9/1.0",
        "application_key": FAKE_SECRETS["application_key"],
        "application_secret": FAKE_SECRETS["application_secret"],
        "consumer_key": FAKE_SECRETS["consumer_key"],
        "project": "p1",
        "region": "GRA",
    },
}


def shown_texts(fs) -> list[str]:
    """Return every text a user or a library may print about a file system."""
    return [
        repr(fs),
        str(fs),
        f"{fs}",
        repr(fs.storage_options),
        str(fs.storage_options),
        repr(fs.to_dict(include_password=False)),
        repr(fs.storage),
        str(dask.base.tokenize(fs)),
        fs._fs_token,
    ]


@pytest.mark.parametrize("family", sorted(OPTION_SETS))
def test_secrets_never_shown(family):
    fs = SwiftFileSystem(**OPTION_SETS[family])

    texts = shown_texts(fs)

    for secret in FAKE_SECRETS.values():
        for text in texts:
            assert secret not in text


def test_secret_value_still_works_as_str():
    secret = Secret("abc-secret-123")

    assert secret == "abc-secret-123"
    assert secret.reveal() == "abc-secret-123"
    assert type(secret.reveal()) is str
    assert "abc-secret-123" not in f"{secret} {secret!s} {secret!r} {'%s' % secret}"
    assert pickle.loads(pickle.dumps(secret)).reveal() == "abc-secret-123"


def test_different_secrets_different_instances():
    first = SwiftFileSystem(storage_url="http://127.0.0.1:9/v1/AUTH_x", token="first-token-aaaa")
    second = SwiftFileSystem(storage_url="http://127.0.0.1:9/v1/AUTH_x", token="second-token-bbbb")
    again = SwiftFileSystem(storage_url="http://127.0.0.1:9/v1/AUTH_x", token="first-token-aaaa")

    assert first is not second
    assert first is again
    assert repr(first.storage_options["token"]) != repr(second.storage_options["token"])


def test_pickle_round_trip_equal(sandbox_options, sandbox_container):
    fs = SwiftFileSystem(**sandbox_options)
    fs.pipe_file(f"{sandbox_container}/p.txt", b"pickled")

    rebuilt = pickle.loads(pickle.dumps(fs))

    assert rebuilt == fs
    assert rebuilt.storage_options == fs.storage_options
    assert rebuilt.cat_file(f"{sandbox_container}/p.txt") == b"pickled"


def test_registry_fs_rebuilds_in_subprocess(sandbox_accounts, tmp_path):
    fs = HubicFileSystem()
    fs.ls("default")  # fetches a token, which must not travel
    blob = tmp_path / "fs.pickle"
    blob.write_bytes(pickle.dumps(fs))
    token = fs.provider.get().token
    script = (
        "import pickle, sys\n"
        "from ovhub_jupyter.core.accounts import REGISTRY\n"
        "assert REGISTRY.names() == [], REGISTRY.names()\n"
        "fs = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "print(fs.cat_file('default/Documents/readme.txt').decode().splitlines()[0])\n"
    )

    child = subprocess.run([sys.executable, "-c", script, str(blob)], capture_output=True, text=True, timeout=120)

    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "Welcome to the ovhub_jupyter sandbox."
    assert token.encode() not in blob.read_bytes()


def test_debug_logs_hold_no_secret(sandbox, caplog, tmp_path):
    settings = sandbox.config["hubic"]
    options = {name: settings[name] for name in ("client_id", "client_secret", "refresh_token", "token_url", "api_url")}
    swift = sandbox.config["swift"]
    caplog.set_level(logging.DEBUG)

    hubic_fs = HubicFileSystem(skip_instance_cache=True, **options)
    swift_fs = SwiftFileSystem(skip_instance_cache=True, auth_url=swift["auth_url"], user=swift["user"], key=swift["key"])
    hubic_fs.ls("default")
    hubic_fs.pipe_file("default/log-check.txt", b"logged")
    sandbox.expire_tokens()
    with hubic_fs.open("default/log-check.txt") as handle:
        handle.read()
    hubic_fs.get_file("default/log-check.txt", str(tmp_path / "copy.txt"))
    hubic_fs.rm("default/log-check.txt")
    swift_fs.ls("data")
    pickle.loads(pickle.dumps(swift_fs)).ls("data")
    secrets = [
        settings["client_secret"],
        settings["refresh_token"],
        swift["key"],
        hubic_fs.provider.get().token,
        swift_fs.provider.get().token,
    ]
    messages = [record.getMessage() for record in caplog.records]

    assert any("default/log-check.txt" in message for message in messages)
    assert any(message.startswith("GET http") and "log-check.txt" in message for message in messages)
    for secret in secrets:
        for message in messages:
            assert secret not in message


def test_registry_unchanged_by_pickling(sandbox_accounts):
    names = REGISTRY.names()

    pickle.loads(pickle.dumps(HubicFileSystem()))

    assert REGISTRY.names() == names
