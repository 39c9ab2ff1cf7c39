"""OVHcloud API, createApp and validation pages (placeholder)."""

from .app import Service


class OvhApiService(Service):
    name = "ovh"

    def __init__(self, state, swift):
        super().__init__(state)
        self.swift = swift
