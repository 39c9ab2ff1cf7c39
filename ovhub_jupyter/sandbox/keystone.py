"""Keystone v3 password authentication (placeholder)."""

from .app import Service


class KeystoneService(Service):
    name = "keystone"

    def __init__(self, state, swift):
        super().__init__(state)
        self.swift = swift
