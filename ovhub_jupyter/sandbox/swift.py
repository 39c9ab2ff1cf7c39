"""OpenStack Swift: v1 auth, /info, accounts, containers, objects (placeholder)."""

from .app import Service


class SwiftService(Service):
    name = "swift"

