"""Conformance: names that need encoding round-trip byte for byte; invalid names are rejected."""

from __future__ import annotations

import unicodedata

from .observe import Observer

# Names a client must encode, and names that differ only where a careless client would
# normalize: `//`, a leading or trailing `/`, Unicode NFC against NFD.
NAMES = [
    "with space",
    "hash#name",
    "per%cent",
    "per%25cent",
    "question?mark",
    "amp&ersand=1",
    "plus+sign",
    "semi;colon,comma",
    "quote'\"",
    "tilde~star*",
    "ünïcødé 日本語",
    "emoji 🎉",
    unicodedata.normalize("NFC", "café"),
    unicodedata.normalize("NFD", "café"),
    "a//b",
    "a/b",
    "/abs",
    "dir/",
    "dir",
    "dir/./x",
    "dir/../up",
    "trailing space ",
    " leading space",
    "tab\tand\nnewline",
]


def test_names_round_trip(swift):
    def names_round_trip(client):
        watch = Observer(client)
        container = client.name("names ü#?")
        client.put(client.path(container))
        seen = {}
        for name in NAMES:
            data = name.encode("utf-8")
            put = client.put(client.path(container, name), data=data)
            get = client.get(client.path(container, name))
            seen[repr(name)] = {
                "PUT": put.status_code,
                "GET": get.status_code,
                "GET returns this object": get.content == data,
            }
        seen["json listing"] = watch.observe(client.get(client.path(container), query="format=json"), body="listing")
        seen["plain listing"] = watch.observe(client.get(client.path(container)), body="bytes")
        seen["xml listing"] = watch.observe(client.get(client.path(container), query="format=xml"), body="listing")
        return seen

    seen = swift.conform(names_round_trip)

    for name in NAMES:
        assert seen[repr(name)] == {"PUT": 201, "GET": 200, "GET returns this object": True}, name
    listed = [entry["name"] for entry in seen["json listing"]["body"]]
    assert listed == sorted(NAMES, key=lambda name: name.encode("utf-8"))
    assert seen["plain listing"]["body"] == b"".join(name.encode("utf-8") + b"\n" for name in listed)


def test_encoded_slash_is_a_slash(swift):
    def encoded_slash(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        return {
            "PUT a%2Fb": watch.observe(client.put(container + "/a%2Fb", data=b"encoded")),
            "GET a/b": watch.observe(client.get(container + "/a/b")),
            "listing": watch.observe(client.get(container)),
        }

    seen = swift.conform(encoded_slash)

    assert seen["PUT a%2Fb"]["status"] == 201
    assert seen["GET a/b"] == {"status": 200, "body": "encoded"}
    assert seen["listing"]["body"] == "a/b\n"


def test_invalid_names_rejected(swift):
    def invalid_names(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        return {
            "object with invalid UTF-8": watch.observe(client.put(container + "/bad%FFname", data=b"x"), "Content-Type"),
            "object with a NUL byte": watch.observe(client.put(container + "/bad%00name", data=b"x"), "Content-Type"),
            "object GET with invalid UTF-8": watch.observe(client.get(container + "/bad%FFname")),
            "object of 1025 bytes": watch.observe(client.put(container + "/" + "x" * 1025, data=b"x"), "Content-Type"),
            "container with invalid UTF-8": watch.observe(client.put("/" + client.name("bad%FF"))),
            "container with a NUL byte": watch.observe(client.put("/" + client.name("bad%00"))),
            "container of 257 bytes": watch.observe(client.put(client.path(client.name().ljust(257, "c"))), "Content-Type"),
            "container of 256 bytes": watch.observe(client.put(client.path(client.name().ljust(256, "c")))),
            "GET container of 257 bytes": watch.observe(client.get(client.path(client.name().ljust(257, "c")))),
            "listing prefix with invalid UTF-8": watch.observe(client.get(container, query="prefix=%FF")),
            "listing marker with invalid UTF-8": watch.observe(client.get(container, query="marker=%FF")),
        }

    seen = swift.conform(invalid_names)

    assert seen["object with invalid UTF-8"]["status"] == 412
    assert seen["object with invalid UTF-8"]["body"] == "Invalid UTF8 or contains NULL"
    assert seen["object with a NUL byte"]["status"] == 412
    assert seen["object GET with invalid UTF-8"]["status"] == 412
    assert seen["object of 1025 bytes"]["status"] == 400
    assert seen["object of 1025 bytes"]["body"] == "Object name length of 1025 longer than 1024"
    assert seen["container with invalid UTF-8"]["status"] == 412
    assert seen["container with a NUL byte"]["status"] == 412
    assert seen["container of 257 bytes"]["status"] == 400
    assert seen["container of 257 bytes"]["body"] == "Container name length of 257 longer than 256"
    assert seen["container of 256 bytes"]["status"] == 201
    assert seen["GET container of 257 bytes"]["status"] == 404
    assert seen["listing prefix with invalid UTF-8"]["status"] == 400


def test_name_length_counts_characters(swift):
    """Swift 2.38 compares name lengths in characters, so 513 "é" (1026 bytes) pass."""

    def length_in_characters(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        # Under 256 characters, over 256 bytes: the prefix is ASCII and each "é" is 2 bytes.
        long_container = client.name() + "é" * 200
        return {
            "object of 513 characters, 1026 bytes": watch.observe(client.put(container + "/" + "é" * 513, data=b"x")),
            "object of 1025 characters, 2050 bytes": watch.observe(client.put(container + "/" + "é" * 1025, data=b"x")),
            "container under 256 characters, over 256 bytes": watch.observe(client.put(client.path(long_container))),
            "container of 257 characters": watch.observe(client.put(client.path(client.name().ljust(257, "é")))),
        }

    seen = swift.conform(length_in_characters)

    assert seen["object of 513 characters, 1026 bytes"]["status"] == 201
    assert seen["object of 1025 characters, 2050 bytes"]["status"] == 400
    assert seen["container under 256 characters, over 256 bytes"]["status"] == 201
    assert seen["container of 257 characters"]["status"] == 400
