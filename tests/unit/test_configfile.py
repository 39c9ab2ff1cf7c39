"""Config files are replaced atomically, private to their owner, and merged key by key."""

import os
import stat

import pytest

from ovhub_jupyter.core import configfile, errors


def test_update_keeps_other_sections_and_sets_mode(tmp_path):
    path = tmp_path / "nested" / "ovhub.conf"
    configfile.update_ini_section(path, "one", {"a": "1"})
    configfile.update_ini_section(path, "two", {"b": "%not-interpolated"})

    parser = configfile.read_ini(path)

    assert parser.get("one", "a") == "1"
    assert parser.get("two", "b") == "%not-interpolated"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_update_with_none_removes_key(tmp_path):
    path = tmp_path / "ovhub.conf"
    configfile.update_ini_section(path, "hubic", {"refresh_token": "x", "client_id": "y"})

    configfile.update_ini_section(path, "hubic", {"refresh_token": None})

    assert dict(configfile.read_ini(path).items("hubic")) == {"client_id": "y"}


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "ovhub.conf"
    configfile.write_text_atomically(path, "[old]\nkey = value\n")

    def failing_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        configfile.write_text_atomically(path, "[new]\n")

    assert path.read_text() == "[old]\nkey = value\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ovhub.conf"]


def test_config_path_follows_environment_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "a.conf"))
    first = configfile.ovhub_config_path()
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "b.conf"))

    assert first.name == "a.conf"
    assert configfile.ovhub_config_path().name == "b.conf"


def test_invalid_file_raises_config_error_naming_it(tmp_path):
    path = tmp_path / "broken.conf"
    path.write_text("no section header\n")

    with pytest.raises(errors.ConfigError, match="broken.conf"):
        configfile.read_ini(path)


def test_account_name_with_bracket_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "ovhub.conf"))

    with pytest.raises(errors.InvalidInputError, match="invalid account name"):
        configfile.save_ovhub_account("bad]name", {"kind": "swift"})
    assert not (tmp_path / "ovhub.conf").exists()
