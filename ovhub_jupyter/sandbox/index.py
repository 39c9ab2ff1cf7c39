"""The sandbox's home page: what it emulates and where, for a person who opens it in a browser."""

from __future__ import annotations

import html

from werkzeug.wrappers import Request, Response

from .app import Service


class IndexService(Service):
    name = "index"

    def handle(self, request: Request, path: str) -> Response:
        config = self.state.public_config()
        rows = [
            ("OVHcloud API", config["ovh"]["endpoint"]),
            ("OVHcloud application creation", config["ovh"]["create_app_url"]),
            ("hubiC OAuth2 authorize", config["hubic"]["auth_url"]),
            ("hubiC API", config["hubic"]["api_url"]),
            ("Keystone v3", config["keystone"]["auth_url"]),
            ("Swift v1 auth", config["swift"]["auth_url"]),
            ("Demo accounts (JSON, loopback only)", f"{self.state.base_url}/_sandbox/config"),
        ]
        items = "".join(f"<tr><td>{html.escape(name)}</td><td><code>{html.escape(url)}</code></td></tr>" for name, url in rows)
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ovhub_jupyter sandbox</title></head>"
            "<body><h1>ovhub_jupyter sandbox</h1><p>A local emulation of the OVHcloud API, hubiC, "
            f"Keystone and OpenStack Swift.</p><table>{items}</table></body></html>"
        )
        return Response(page, content_type="text/html; charset=utf-8")
