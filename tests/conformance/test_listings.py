"""Conformance: container and account listings, their parameters, formats and pages."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

from .client import quote_name, quote_value
from .observe import INTEGER_SEEN, LISTING_TIME_SEEN, TIMESTAMP_SEEN, Observer

# The listing limit both servers run with in this suite (see the swift fixture).
LISTING_LIMIT = 1000

# Seconds to wait for the real Swift's account counters, which its container updater
# brings up to date about every second here (about 5 s on a default install).
ACCOUNT_UPDATE_DEADLINE = 30

OBJECTS = {
    "a": "text/plain",
    "b/1": "application/octet-stream",
    "b/2": "application/octet-stream",
    "b/c/3": "image/png",
    "c": "application/json",
    "d/": "application/directory",
    "d//x": "text/plain",
    "e.txt": "text/plain",
    "Z": "text/plain",
    "é": "text/plain",
}

CONTAINER_QUERIES = [
    "",
    "format=json",
    "format=xml",
    "format=plain",
    "limit=2",
    "limit=2&format=json",
    "limit=1000",
    "limit=1001",
    "limit=1001&format=json",
    "marker=b/1",
    "marker=b/1&format=json",
    "end_marker=c",
    "marker=a&end_marker=c",
    "prefix=b/",
    "prefix=b/&format=json",
    "delimiter=/",
    "delimiter=/&format=json",
    "delimiter=/&format=xml",
    "prefix=b/&delimiter=/",
    "prefix=b/&delimiter=/&format=json",
    "prefix=d/&delimiter=/&format=json",
    "marker=b/&delimiter=/",
    "reverse=true",
    "reverse=true&format=json",
    "reverse=true&marker=c",
    "reverse=true&marker=c&end_marker=a",
    "reverse=true&delimiter=/",
    "prefix=%C3%A9&format=json",
    "marker=%C3%A9",
    "prefix=zz",
    "prefix=zz&format=json",
    "prefix=zz&format=xml",
]


def test_container_listing_queries(swift):
    def container_listings(client):
        watch = Observer(client)
        container = client.path(client.name("list"))
        client.put(container)
        for name, content_type in OBJECTS.items():
            client.put(container + "/" + quote_name(name), data=name.encode("utf-8"), headers={"Content-Type": content_type})
        seen = {}
        for query in CONTAINER_QUERIES:
            response = client.get(container, query=query or None)
            seen[query or "(no query)"] = watch.observe(
                response, "Content-Type", "X-Container-Object-Count", "X-Container-Bytes-Used", body="listing"
            )
        for accept in ("application/json", "application/xml", "text/xml", "text/plain", "*/*"):
            response = client.get(container, headers={"Accept": accept})
            seen[f"Accept: {accept}"] = watch.observe(response, "Content-Type", body="listing")
        return seen

    seen = swift.conform(container_listings)

    everything = sorted(OBJECTS, key=lambda name: name.encode("utf-8"))
    plain = seen["(no query)"]
    assert plain["status"] == 200
    assert plain["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert plain["headers"]["x-container-object-count"] == str(len(OBJECTS))
    assert plain["body"] == "".join(name + "\n" for name in everything)
    entries = seen["format=json"]["body"]
    assert [entry["name"] for entry in entries] == everything
    assert entries[0] == {
        "bytes": 1,
        "hash": hashlib.md5(b"Z").hexdigest(),
        "name": "Z",
        "content_type": "text/plain",
        "last_modified": LISTING_TIME_SEEN,
    }
    assert seen["format=xml"]["headers"]["content-type"] == "application/xml; charset=utf-8"
    assert seen["limit=2"]["body"] == "Z\na\n"
    assert seen["limit=1001"]["status"] == 412
    assert seen["limit=1001"]["body"] == "Maximum limit is 1000"
    assert seen["marker=b/1"]["body"] == "b/2\nb/c/3\nc\nd/\nd//x\ne.txt\né\n"
    assert seen["end_marker=c"]["body"] == "Z\na\nb/1\nb/2\nb/c/3\n"
    assert seen["prefix=b/"]["body"] == "b/1\nb/2\nb/c/3\n"
    assert seen["delimiter=/"]["body"] == "Z\na\nb/\nc\nd/\ne.txt\né\n"
    assert {"subdir": "b/"} in seen["delimiter=/&format=json"]["body"]
    assert seen["prefix=b/&delimiter=/"]["body"] == "b/1\nb/2\nb/c/\n"
    assert seen["reverse=true"]["body"] == "".join(name + "\n" for name in reversed(everything))
    assert seen["reverse=true&marker=c"]["body"] == "b/c/3\nb/2\nb/1\na\nZ\n"
    total_bytes = sum(len(name.encode("utf-8")) for name in OBJECTS)
    assert seen["prefix=zz"] == {
        "status": 204,
        "headers": {
            "content-type": "text/plain; charset=utf-8",
            "x-container-object-count": str(len(OBJECTS)),
            "x-container-bytes-used": str(total_bytes),
        },
        "body": "",
    }
    assert seen["prefix=zz&format=json"]["status"] == 200
    assert seen["prefix=zz&format=json"]["body"] == []
    assert seen["Accept: application/json"]["headers"]["content-type"] == "application/json; charset=utf-8"


def test_listing_pages_at_the_limit(swift):
    def pages_at_the_limit(client):
        container = client.path(client.name("pages"))
        client.put(container)
        names = [f"object-{index:04d}" for index in range(LISTING_LIMIT)]
        put_objects(client, container, names)

        seen = {"exactly one page": page_summary(client, container)}
        put_objects(client, container, [f"object-{LISTING_LIMIT:04d}"])
        seen["one page plus one"] = page_summary(client, container)
        return seen

    seen = swift.conform(pages_at_the_limit)

    one_page = seen["exactly one page"]
    assert one_page["first page"] == {"status": 200, "count": 1000, "first": "object-0000", "last": "object-0999"}
    assert one_page["next page"] == {"status": 200, "count": 0, "first": None, "last": None}
    assert one_page["plain next page"]["status"] == 204
    plus_one = seen["one page plus one"]
    assert plus_one["first page"]["count"] == 1000
    assert plus_one["next page"] == {"status": 200, "count": 1, "first": "object-1000", "last": "object-1000"}
    assert plus_one["plain next page"] == {"status": 200, "body": "object-1000\n"}


def test_account_listing_and_headers(swift):
    def account_listing(client):
        watch = Observer(client)
        prefix = client.name()
        sizes = {"grp-1": [b"abc", b"defgh"], "grp-2": [], "solo": [b"x"]}
        for suffix, contents in sizes.items():
            container = client.path(prefix + suffix)
            client.put(container)
            for index, data in enumerate(contents):
                client.put(f"{container}/object-{index}", data=data)

        # The real Swift's account counters lag behind the containers: wait for them.
        expected = {prefix + suffix: (len(contents), sum(map(len, contents))) for suffix, contents in sizes.items()}
        settled = wait_for_account_counts(client, prefix, expected)

        seen = {"account counters settled": settled}
        for query in (
            "format=json",
            "",
            "format=xml",
            "limit=1&format=json",
            f"marker={prefix}grp-1",
            f"end_marker={prefix}solo",
            "reverse=true",
            "delimiter=-",
            "delimiter=-&format=json",
            "limit=1001",
        ):
            response = client.get("", query=f"prefix={quote_value(prefix)}" + (f"&{query}" if query else ""))
            seen[query or "(no query)"] = watch.observe(response, "Content-Type", body="listing")
        for query in ("prefix=no-such-prefix-", "prefix=no-such-prefix-&format=json", "prefix=no-such-prefix-&format=xml"):
            seen[query] = watch.observe(client.get("", query=query), "Content-Type", body="listing")
        account_headers = (
            "Content-Type",
            "Accept-Ranges",
            "X-Timestamp",
            "X-Account-Container-Count",
            "X-Account-Object-Count",
            "X-Account-Bytes-Used",
        )
        seen["account HEAD"] = watch.observe(client.head(""), *account_headers)
        seen["account GET"] = watch.observe(client.get("", query="format=json&limit=1"), *account_headers, body="none")
        seen["account POST metadata"] = watch.observe(client.post("", headers={"X-Account-Meta-Conformance": prefix}))
        seen["account HEAD metadata"] = watch.observe(client.head(""), "X-Account-Meta-Conformance")
        seen["account POST remove metadata"] = watch.observe(client.post("", headers={"X-Remove-Account-Meta-Conformance": "x"}))
        seen["account HEAD after removal"] = watch.observe(client.head(""), "X-Account-Meta-Conformance")
        return seen

    seen = swift.conform(account_listing)

    assert seen["account counters settled"] is True
    entries = seen["format=json"]["body"]
    assert [entry["name"] for entry in entries] == [swift.prefix + suffix for suffix in ("grp-1", "grp-2", "solo")]
    assert [(entry["count"], entry["bytes"]) for entry in entries] == [(2, 8), (0, 0), (1, 1)]
    assert all(entry["last_modified"] == LISTING_TIME_SEEN for entry in entries)
    assert seen["(no query)"]["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert seen["limit=1&format=json"]["body"] == entries[:1]
    assert seen["limit=1001"]["status"] == 412
    assert [entry.get("subdir") for entry in seen["delimiter=-&format=json"]["body"]][0].endswith("grp-")
    assert seen["prefix=no-such-prefix-"]["status"] == 204
    assert seen["prefix=no-such-prefix-&format=json"] == {
        "status": 200,
        "headers": {"content-type": "application/json; charset=utf-8"},
        "body": [],
    }
    head = seen["account HEAD"]
    assert head["status"] == 204
    assert head["headers"]["x-account-container-count"] == INTEGER_SEEN
    assert head["headers"]["x-account-object-count"] == INTEGER_SEEN
    assert head["headers"]["x-account-bytes-used"] == INTEGER_SEEN
    assert head["headers"]["x-timestamp"] == TIMESTAMP_SEEN
    assert seen["account POST metadata"]["status"] == 204
    assert seen["account HEAD metadata"]["headers"]["x-account-meta-conformance"] != "<absent>"
    assert seen["account HEAD after removal"]["headers"]["x-account-meta-conformance"] == "<absent>"


# -- helpers -----------------------------------------------------------------------------


def put_objects(client, container: str, names: list[str]) -> None:
    """Create small objects in parallel (8 at a time, as Swift's own tools do)."""

    def put(name: str) -> int:
        return client.put(f"{container}/{name}", data=name.encode("ascii")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(put, names))
    failed = [name for name, status in zip(names, statuses) if status != 201]
    assert not failed, f"{client.server}: {len(failed)} object PUTs failed, first {failed[0]}"


def page_summary(client, container: str) -> dict:
    """Read the first page and the page after it, the way a paging client does."""
    first = client.get(container, query="format=json")
    first_names = names_of(first)
    marker = first_names[-1] if first_names else ""
    following = client.get(container, query={"format": "json", "marker": marker})
    plain_following = client.get(container, query={"marker": marker})
    return {
        "first page": summary(first),
        "next page": summary(following),
        "plain next page": {"status": plain_following.status_code, "body": plain_following.text},
        "explicit limit=1000": client.get(container, query="format=json&limit=1000").status_code,
        "names of the first page": first_names,
    }


def names_of(response) -> list[str]:
    try:
        return [entry.get("name", entry.get("subdir")) for entry in response.json()]
    except ValueError:
        return []


def summary(response) -> dict:
    names = names_of(response)
    return {
        "status": response.status_code,
        "count": len(names),
        "first": names[0] if names else None,
        "last": names[-1] if names else None,
    }


def wait_for_account_counts(client, prefix: str, expected: dict[str, tuple[int, int]]) -> bool:
    """Poll the account listing until each container shows ``(count, bytes)``; False on timeout."""
    deadline = time.monotonic() + ACCOUNT_UPDATE_DEADLINE
    while True:
        response = client.get("", query={"format": "json", "prefix": prefix})
        try:
            listed = {entry["name"]: (entry["count"], entry["bytes"]) for entry in response.json()}
        except (ValueError, KeyError, TypeError):
            listed = {}
        if listed == expected:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
