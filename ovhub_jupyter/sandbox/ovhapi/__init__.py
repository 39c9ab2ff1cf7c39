"""Emulation of the OVHcloud API, its createApp and consumer key validation pages, and OAuth2.

It follows the wire behaviour of ``https://eu.api.ovh.com/1.0``. Signed calls are checked
with the real formula over the exact URL and body bytes received. Access rules, consumer
key states and expiry, the legacy and newer error bodies, and the ``X-Ovh-Queryid`` header
on every response all follow the real API. Where the real behaviour is not documented,
the choice made is marked with a ``NOTE:`` where it is made.

Modules: ``service`` (dispatch), ``auth`` (signature and bearer checks), ``signing``
(formulas), ``store`` (applications and consumer keys), ``credentials`` and
``createapp`` (the flows with HTML pages), ``account``, ``cloud``, ``webstorage`` and
``iam`` (API routes).
"""

from .service import OvhApiService

__all__ = ["OvhApiService"]
