"""An IPython shell with the extension loaded, its config files isolated in a temporary folder."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from ovhub_jupyter.core.accounts import REGISTRY


@pytest.fixture
def isolated_config(tmp_path, monkeypatch):
    """Point ovhub.conf, ovh.conf and HOME at an empty folder, and clear OVH_*/HUBIC_* variables."""
    import os

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "ovhub.conf"))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("OVH_", "HUBIC_")):
            monkeypatch.delenv(name)
    return tmp_path


@pytest.fixture
def shell(isolated_config):
    """A fresh IPython shell with ovhub_jupyter loaded; unloaded and the registry cleared afterwards."""
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "ovhub_jupyter")
    yield ip
    ip.run_line_magic("unload_ext", "ovhub_jupyter")
    REGISTRY.clear()
