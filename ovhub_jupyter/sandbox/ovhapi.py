"""OVHcloud API, createApp and validation pages (placeholder until the real service lands)."""

from .app import Service


class OvhApiService(Service):
    name = "ovh"

    def __init__(self, state, swift, keystone):  # noqa: ANN001
        super().__init__(state)
        self.swift = swift
        self.keystone = keystone
