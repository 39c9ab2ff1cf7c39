"""The ``GET /info`` document: the cluster's capabilities, in Swift 2.38's shape.

The sections and keys are those a Swift 2.38.3 proxy with the usual middleware pipeline
publishes, checked against one running on loopback. The limits come from the sandbox
settings, so a test that lowers ``container_listing_limit`` finds the new value here too. Sections of
middleware the sandbox does not emulate (formpost, staticweb, symlink, ratelimit,
bulk_upload) are left out, so a client that checks /info does not rely on them.
"""

from __future__ import annotations

from typing import Any, Mapping

# The Swift release whose behaviour the sandbox follows.
SWIFT_VERSION = "2.38.3"

# Maximum size in bytes of a static large object manifest body (slo's default).
MAX_MANIFEST_SIZE = 8388608

# Digests temp URLs accept, as a default Swift 2.38 tempurl middleware allows them.
TEMPURL_DIGESTS = ("sha1", "sha256", "sha512")
DEPRECATED_DIGESTS = ("sha1",)

# Methods a temp URL may be signed for.
TEMPURL_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")


def info_document(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the capabilities document for the current settings."""
    document: dict[str, Any] = {
        "swift": {
            "version": SWIFT_VERSION,
            "strict_cors_mode": True,
            "policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": True}],
            # Accounts cannot be created or deleted through the API, as on hosted clusters.
            "allow_account_management": False,
            "account_autocreate": True,
            "allow_open_expired": False,
            "max_file_size": settings["max_file_size"],
            "max_meta_name_length": settings["max_meta_name_length"],
            "max_meta_value_length": settings["max_meta_value_length"],
            "max_meta_count": settings["max_meta_count"],
            "max_meta_overall_size": settings["max_meta_overall_size"],
            "max_header_size": 8192,
            "max_request_line": 8192,
            "max_object_name_length": settings["max_object_name_length"],
            "container_listing_limit": settings["container_listing_limit"],
            "account_listing_limit": settings["account_listing_limit"],
            "max_account_name_length": 256,
            "max_container_name_length": settings["max_container_name_length"],
            "extra_header_count": 0,
        },
        "slo": {
            "max_manifest_segments": settings["max_manifest_segments"],
            "max_manifest_size": MAX_MANIFEST_SIZE,
            "yield_frequency": 10,
            "min_segment_size": 1,
            # The real default is True; the sandbox has no object expirer to run async deletes.
            "allow_async_delete": False,
        },
        "account_quotas": {},
        "container_quotas": {},
        "tempauth": {"account_acls": True},
        "tempurl": {
            "methods": list(TEMPURL_METHODS),
            "incoming_remove_headers": ["x-timestamp", "x-open-expired"],
            "incoming_allow_headers": [],
            "outgoing_remove_headers": ["x-object-meta-*"],
            "outgoing_allow_headers": ["x-object-meta-public-*"],
            "allowed_digests": list(TEMPURL_DIGESTS),
            "deprecated_digests": list(DEPRECATED_DIGESTS),
        },
    }
    if settings.get("bulk_delete", True):
        document["bulk_delete"] = {
            "max_deletes_per_request": settings["max_deletes_per_request"],
            "max_failed_deletes": 1000,
        }
    return document
