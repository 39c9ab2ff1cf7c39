"""The IPython magics: ``%ovhub``, ``%swift``/``%%swift``, ``%ovh``/``%%ovh``, ``%hubic`` and the sign-in panels.

``load`` registers every magics class, and IPython adds each instance to
``shell.configurables``, where ``%config`` finds it. ``unload`` removes exactly what
``load`` added, and stops the sandbox the kernel started.
"""

from __future__ import annotations

import importlib
from typing import Any

# Modules and the magics class each one defines, registered in this order.
MAGICS_CLASSES = (
    ("ovhub_jupyter.magics.ovhub", "OvhubMagics"),
    ("ovhub_jupyter.magics.swift", "SwiftMagics"),
    ("ovhub_jupyter.magics.ovh", "OvhMagics"),
    ("ovhub_jupyter.magics.hubic", "HubicMagics"),
    ("ovhub_jupyter.magics.login", "LoginMagics"),
)

# Instances registered per shell, so unload removes exactly those.
_loaded: dict[int, list[Any]] = {}


def load(shell: Any) -> None:
    """Register the magics in ``shell`` (a second load in the same shell does nothing)."""
    if id(shell) in _loaded:
        return
    from ..core.account_sources import load_configured_accounts

    load_configured_accounts()

    instances = []
    for module_name, class_name in MAGICS_CLASSES:
        module = importlib.import_module(module_name)
        # Magics.__init__ adds the instance to shell.configurables, which %config reads.
        instance = getattr(module, class_name)(shell=shell)
        shell.register_magics(instance)
        instances.append(instance)
    _loaded[id(shell)] = instances


def unload(shell: Any) -> None:
    """Remove the magics, their %config entries and the sandbox this extension started."""
    instances = _loaded.pop(id(shell), [])
    manager = shell.magics_manager
    for instance in instances:
        for kind, names in instance.magics.items():
            for name in names:
                manager.magics[kind].pop(name, None)
        manager.registry.pop(type(instance).__name__, None)
        shell.configurables[:] = [c for c in shell.configurables if c is not instance]

    from ..sandbox import stop_shared_sandbox

    stop_shared_sandbox()
