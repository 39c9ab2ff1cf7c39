"""ovh.conf and OVH_* variables are read with python-ovh's precedence; keys are saved privately."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from ovhub_jupyter.core import config, configfile, errors
from ovhub_jupyter.core.accounts import AccountRegistry
from ovhub_jupyter.core.ovh import OvhClient

SECRET = "S" * 31 + "1"
CONSUMER_KEY = "C" * 31 + "2"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A home, a system file and a working directory of the test's own, with no OVH_* set."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    for name in list(os.environ):
        if name.startswith("OVH_"):
            monkeypatch.delenv(name)
    system = tmp_path / "etc" / "ovh.conf"
    monkeypatch.setattr(config, "SYSTEM_CONFIG_FILE", system)
    return {"home": home, "work": work, "system": system, "root": tmp_path}


def test_later_files_win_key_by_key(places):
    write(places["system"], "[default]\nendpoint=ovh-ca\n[ovh-eu]\napplication_key=system\napplication_secret=system-secret\n")
    write(places["home"] / ".ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=home\n")
    write(places["work"] / "ovh.conf", "[ovh-eu]\nconsumer_key=local-ck\n")

    loaded = config.load_ovh_config()

    assert loaded.endpoint == "ovh-eu"
    assert loaded.application_key == "home"
    assert loaded.application_secret == "system-secret"
    assert loaded.consumer_key == "local-ck"
    assert loaded.sources["consumer_key"] == str(places["work"] / "ovh.conf")
    assert loaded.files == [places["system"], places["home"] / ".ovh.conf", places["work"] / "ovh.conf"]


def test_explicit_file_wins_over_default_files(places):
    write(places["work"] / "ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=local\napplication_secret=a\n")
    explicit = write(places["root"] / "other.conf", "[ovh-eu]\napplication_key=explicit\n")

    loaded = config.load_ovh_config(explicit)

    assert loaded.application_key == "explicit"
    assert loaded.application_secret == "a"


def test_environment_wins_over_files(places, monkeypatch):
    write(places["home"] / ".ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=file\nconsumer_key=file-ck\n")
    monkeypatch.setenv("OVH_APPLICATION_KEY", "from-env")
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")

    loaded = config.load_ovh_config()

    assert loaded.endpoint == "ovh-ca"
    assert loaded.application_key == "from-env"
    assert loaded.sources["application_key"] == "environment"
    # The file's keys are in [ovh-eu], and the endpoint is now ovh-ca.
    assert loaded.consumer_key is None
    assert loaded.source == "environment"


def test_endpoint_comes_from_default_section(places):
    write(places["home"] / ".ovh.conf", "[default]\nendpoint=http://127.0.0.1:9/1.0\n[http://127.0.0.1:9/1.0]\napplication_key=k\n")

    loaded = config.load_ovh_config()

    assert loaded.endpoint == "http://127.0.0.1:9/1.0"
    assert loaded.application_key == "k"


def test_local_file_is_looked_up_at_call_time(places, monkeypatch):
    other = places["root"] / "elsewhere"
    write(other / "ovh.conf", "[default]\nendpoint=ovh-us\n")
    write(places["work"] / "ovh.conf", "[default]\nendpoint=ovh-eu\n")

    first = config.load_ovh_config().endpoint
    monkeypatch.chdir(other)
    second = config.load_ovh_config().endpoint

    assert first == "ovh-eu"
    assert second == "ovh-us"


def test_nothing_configured_gives_empty_config(places):
    loaded = config.load_ovh_config()

    assert loaded.endpoint is None
    assert not loaded.has_application_keys
    assert config.ovh_account(loaded) is None


def test_invalid_file_is_a_config_error(places):
    write(places["home"] / ".ovh.conf", "endpoint=ovh-eu\n")

    with pytest.raises(errors.ConfigError) as caught:
        config.load_ovh_config()

    assert ".ovh.conf" in str(caught.value)


def test_save_creates_private_file(places):
    path = config.save_ovh_keys("ovh-eu", "A" * 16, SECRET, CONSUMER_KEY)

    assert path == places["home"] / ".ovh.conf"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = config.load_ovh_config()
    assert (loaded.endpoint, loaded.application_key, loaded.application_secret, loaded.consumer_key) == (
        "ovh-eu", "A" * 16, SECRET, CONSUMER_KEY)


def test_save_merges_with_existing_file(places):
    path = write(places["root"] / "ovh.conf", "[default]\nendpoint=ovh-ca\n[ovh-ca]\napplication_key=keep\n[other]\nx=%y\n")

    config.save_ovh_keys("ovh-eu", "A" * 16, SECRET, None, path, make_default=False)

    parser = configfile.read_ini(path)
    assert parser.get("default", "endpoint") == "ovh-ca"
    assert parser.get("ovh-ca", "application_key") == "keep"
    assert parser.get("other", "x") == "%y"
    assert parser.get("ovh-eu", "application_secret") == SECRET
    assert not parser.has_option("ovh-eu", "consumer_key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_rejects_missing_secret(places):
    with pytest.raises(errors.InvalidInputError):
        config.save_ovh_keys("ovh-eu", "A" * 16, "", CONSUMER_KEY)
    assert not (places["home"] / ".ovh.conf").exists()


def test_ovh_conf_text_round_trips(places):
    text = config.ovh_conf_text("ovh-eu", "A" * 16, SECRET, CONSUMER_KEY)
    write(places["work"] / "ovh.conf", text)

    loaded = config.load_ovh_config()

    assert loaded.application_secret == SECRET
    assert loaded.consumer_key == CONSUMER_KEY


def test_repr_shows_prefixes_only(places):
    write(places["home"] / ".ovh.conf", f"[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=AK\napplication_secret={SECRET}\nconsumer_key={CONSUMER_KEY}\n")

    loaded = config.load_ovh_config()
    client = loaded.client()

    for text in (repr(loaded), repr(client)):
        assert SECRET not in text
        assert CONSUMER_KEY not in text
    assert SECRET[:4] in repr(loaded)


def test_python_ovh_reads_the_same_values(places):
    ovh_config = pytest.importorskip("ovh.config", reason="python-ovh is the test oracle for ovh.conf")
    write(places["home"] / ".ovh.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=home\napplication_secret=s1\n")
    explicit = write(places["root"] / "explicit.conf", "[ovh-eu]\napplication_secret=s2\n")

    manager = ovh_config.ConfigurationManager()
    # python-ovh fixed its file list at import time; give it this test's files.
    manager.config.read([str(places["home"] / ".ovh.conf")])
    manager.read(str(explicit))
    ours = config.load_ovh_config(explicit)

    assert ours.endpoint == manager.get("default", "endpoint")
    assert ours.application_key == manager.get("ovh-eu", "application_key")
    assert ours.application_secret == manager.get("ovh-eu", "application_secret")


# -- accounts --------------------------------------------------------------------------------


def test_ovh_account_built_from_keys(places):
    write(places["home"] / ".ovh.conf", f"[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=AK\napplication_secret={SECRET}\nconsumer_key={CONSUMER_KEY}\n")

    account = config.ovh_account()

    assert account.name == "ovh"
    assert account.kind == "ovh"
    assert isinstance(account.client, OvhClient)
    assert account.client.signed_in
    assert account.source == "ovh.conf"
    assert SECRET not in repr(account)


def test_service_account_from_environment(places, monkeypatch):
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-eu")
    monkeypatch.setenv("OVH_CLIENT_ID", "EU.abc")
    monkeypatch.setenv("OVH_CLIENT_SECRET", SECRET)

    account = config.ovh_account()

    assert account.client.oauth2.client_id == "EU.abc"
    assert account.client.oauth2.token_url == "https://www.ovh.com/auth/oauth2/token"
    assert account.source == "environment"


def test_ovhub_conf_accounts_are_built(places, monkeypatch, caplog):
    monkeypatch.setenv("OVHUB_CONFIG", str(places["root"] / "ovhub.conf"))
    write(places["root"] / "ovhub.conf", (
        "[ovhub]\ndefault_account=plain\n"
        "[plain]\nkind=swift\nauth_url=http://127.0.0.1:9/auth/v1.0\nuser=demo:user\nkey=secret-key-value\n"
        "[given]\nkind=token\nstorage_url=http://127.0.0.1:9/v1/AUTH_x\ntoken=tk-secret-token\n"
        "[ks]\nkind=keystone\nauth_url=http://127.0.0.1:9/v3\nusername=u\npassword=p-secret\nproject_id=abc\nregion=GRA\n"
        "[later]\nkind=hubic\nrefresh_token=r\n"
        "[broken]\nkind=token\nstorage_url=http://127.0.0.1:9/v1/AUTH_y\n"
    ))
    caplog.set_level(logging.WARNING, logger="ovhub_jupyter")
    registry = AccountRegistry()

    accounts = config.register_configured_accounts(registry)

    kinds = {account.name: account.kind for account in accounts}
    assert kinds == {"plain": "swift", "given": "token", "ks": "keystone"}
    assert registry.default == "plain"
    assert "'broken'" in caplog.text
    assert "later" in caplog.text
    assert "tk-secret-token" not in caplog.text


def test_factory_hook_builds_other_kinds(places, monkeypatch):
    from ovhub_jupyter.core.accounts import Account

    built = []

    def build(name, values):
        built.append((name, dict(values)))
        return Account(name=name, kind="hubic", endpoint="http://127.0.0.1:9/hubic", source="ovhub.conf")

    monkeypatch.setitem(config.ACCOUNT_FACTORIES, "hubic", build)

    accounts = config.configured_accounts(config.OvhConfig(), {"cloud": {"kind": "hubic", "refresh_token": "r"}})

    assert [a.kind for a in accounts] == ["hubic"]
    assert built == [("cloud", {"kind": "hubic", "refresh_token": "r"})]


def test_ovh_storage_account_needs_api_keys():
    with pytest.raises(errors.ConfigError) as caught:
        config.build_account("store", {"kind": "ovh-storage", "project": "abc"})

    assert "ovh.conf" in caught.value.hint


def test_configured_ovh_account_reaches_sandbox(sandbox, places):
    ovh = sandbox.config["ovh"]
    config.save_ovh_keys(ovh["endpoint"], ovh["application_key"], ovh["application_secret"], ovh["consumer_key"])
    registry = AccountRegistry()

    config.register_configured_accounts(registry, ovhub_sections={})
    me = registry.get("ovh").client.whoami()

    assert me["nichandle"] == ovh["nic"]
