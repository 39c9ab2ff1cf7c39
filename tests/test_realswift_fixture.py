"""The real Swift fixture itself: it must start, authenticate and stop cleanly."""

import requests


def test_real_swift_authenticates_and_stores(real_swift):
    storage_url, token = real_swift.authenticate()
    headers = {"X-Auth-Token": token}

    created = requests.put(f"{storage_url}/fixture-check", headers=headers, timeout=10)
    stored = requests.put(f"{storage_url}/fixture-check/hello.txt", headers=headers, data=b"hello", timeout=10)
    read = requests.get(f"{storage_url}/fixture-check/hello.txt", headers=headers, timeout=10)

    assert created.status_code in (201, 202)
    assert stored.status_code == 201
    assert read.content == b"hello"


def test_real_swift_listing_limit_is_lowered(real_swift):
    info = requests.get(f"{real_swift.url}/info", timeout=10).json()

    assert info["swift"]["container_listing_limit"] == 1000
