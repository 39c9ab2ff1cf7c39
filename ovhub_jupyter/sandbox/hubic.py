"""hubiC OAuth2 and REST API (placeholder)."""

from .app import Service


class HubicService(Service):
    name = "hubic"

    def __init__(self, state, swift):
        super().__init__(state)
        self.swift = swift
