"""Conformance: bulk delete and temporary URLs."""

from __future__ import annotations

import base64
import hmac
import time
from email.utils import formatdate

from .client import quote_value
from .observe import ABSENT, Observer


def test_bulk_delete_result_body(swift):
    def bulk_delete(client):
        watch = Observer(client)
        full = client.name("full")
        empty = client.name("empty")
        busy = client.name("busy space")
        for container in (full, empty, busy):
            client.put(client.path(container))
        for name in ("a", "b c", "é", "dir/x"):
            client.put(client.path(full, name), data=b"x")
        client.put(client.path(busy, "keep"), data=b"x")

        lines = [
            client.path(full, "a"),
            client.path(full, "b c"),
            client.path(full, "é"),
            client.path(full, "dir/x"),
            client.path(full, "missing"),
            client.path(client.name("no-such-container"), "x"),
            client.path(empty),
            client.path(busy),
        ]
        json_response = client.post(
            "",
            query="bulk-delete",
            data="\n".join(lines).encode("ascii"),
            headers={"Content-Type": "text/plain", "Accept": "application/json"},
        )
        seen = {"bulk delete, JSON": watch.observe(json_response, "Content-Type", body="json")}
        errors = seen["bulk delete, JSON"]["body"].get("Errors") if isinstance(seen["bulk delete, JSON"]["body"], dict) else None
        if isinstance(errors, list):
            errors.sort()
        seen["deleted objects are gone"] = [client.head(client.path(full, name)).status_code for name in ("a", "b c", "é", "dir/x")]
        seen["deleted container is gone"] = client.head(client.path(empty)).status_code
        seen["non-empty container stays"] = client.head(client.path(busy)).status_code

        client.put(client.path(full, "again"), data=b"x")
        plain_response = client.post(
            "",
            query="bulk-delete",
            data=(client.path(full, "again") + "\n" + client.path(full, "missing") + "\n").encode("ascii"),
            headers={"Content-Type": "text/plain"},
        )
        seen["bulk delete, plain text"] = watch.observe(plain_response, "Content-Type")
        seen["bulk delete, empty body"] = watch.observe(
            client.post("", query="bulk-delete", data=b"", headers={"Content-Type": "text/plain", "Accept": "application/json"}),
            body="json",
        )
        return seen

    seen = swift.conform(bulk_delete)

    result = seen["bulk delete, JSON"]
    assert result["status"] == 200
    assert result["headers"]["content-type"] == "application/json"
    assert result["body"]["Number Deleted"] == 5
    assert result["body"]["Number Not Found"] == 2
    assert result["body"]["Response Status"] == "400 Bad Request"
    assert result["body"]["Errors"] == [[f"/{swift.prefix}busy%20space", "409 Conflict"]]
    assert seen["deleted objects are gone"] == [404, 404, 404, 404]
    assert seen["deleted container is gone"] == 404
    assert seen["non-empty container stays"] == 204
    assert seen["bulk delete, plain text"] == {
        "status": 200,
        "headers": {"content-type": "text/plain"},
        "body": "Number Deleted: 1\nNumber Not Found: 1\nResponse Body: \nResponse Status: 200 OK\nErrors:\n",
    }
    assert seen["bulk delete, empty body"]["body"] == {
        "Response Status": "400 Bad Request",
        "Response Body": "Invalid bulk delete.",
        "Number Deleted": 0,
        "Number Not Found": 0,
        "Errors": [],
    }


TEMP_URL_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Etag",
    "Content-Disposition",
    "Expires",
    "X-Object-Meta-Public-Color",
    "X-Object-Meta-Private",
    "Www-Authenticate",
)


def test_temp_url_digests_and_expiry(swift):
    def temp_urls(client):
        watch = Observer(client)
        container = client.name("temp")
        name = "dir é/report 1.txt"
        client.put(client.path(container), headers={"X-Container-Meta-Temp-URL-Key": "container-key"})
        client.put(
            client.path(container, name),
            data=b"temporary",
            headers={"Content-Type": "text/plain", "X-Object-Meta-Public-Color": "red", "X-Object-Meta-Private": "yes"},
        )
        signed_path = f"{client.storage_path}/{container}/{name}"
        url = client.storage_url + client.path(container, name)
        expires = int(time.time()) + 600
        expired = int(time.time()) - 10

        def signature(digest: str, method: str = "GET", when: int = expires, key: bytes = b"container-key") -> str:
            return hmac.new(key, f"{method}\n{when}\n{signed_path}".encode("utf-8"), digest).hexdigest()

        def query(sig: str, when: int = expires, extra: str = "") -> str:
            return f"{url}?temp_url_sig={quote_value(sig)}&temp_url_expires={when}{extra}"

        sha512_base64 = base64.urlsafe_b64encode(
            hmac.new(b"container-key", f"GET\n{expires}\n{signed_path}".encode("utf-8"), "sha512").digest()
        ).decode("ascii")
        responses = {
            "GET sha256": client.get_url(query(signature("sha256"))),
            "GET sha512": client.get_url(query(signature("sha512"))),
            "GET sha512 base64": client.get_url(query("sha512:" + sha512_base64)),
            "GET sha1 (deprecated)": client.get_url(query(signature("sha1"))),
            "HEAD signed for HEAD": client.head_url(query(signature("sha256", "HEAD"))),
            "HEAD signed for GET": client.head_url(query(signature("sha256"))),
            "GET with filename": client.get_url(query(signature("sha256"), extra="&filename=" + quote_value("my file é.txt"))),
            "GET inline": client.get_url(query(signature("sha256"), extra="&inline")),
            "GET expired": client.get_url(query(signature("sha256", when=expired), when=expired)),
            "GET wrong signature": client.get_url(query("0" * 64)),
            "GET signed for PUT": client.get_url(query(signature("sha256", "PUT"))),
            "GET no expiry": client.get_url(f"{url}?temp_url_sig={signature('sha256')}"),
        }
        seen = {case: watch.observe(response, *TEMP_URL_HEADERS) for case, response in responses.items()}
        # Expires is temp_url_expires as an HTTP date: compare that relation, not the date.
        for observed in seen.values():
            if observed["headers"]["expires"] == formatdate(expires, usegmt=True):
                observed["headers"]["expires"] = "<temp_url_expires as an HTTP date>"

        client.post("", headers={"X-Account-Meta-Temp-URL-Key": "account-key"})
        try:
            account_signed = client.get_url(query(signature("sha256", key=b"account-key")))
            seen["GET signed with the account key"] = watch.observe(account_signed, "Content-Length")
        finally:
            client.post("", headers={"X-Remove-Account-Meta-Temp-URL-Key": "x"})
        return seen

    seen = swift.conform(temp_urls)

    for case in ("GET sha256", "GET sha512", "GET sha512 base64", "GET sha1 (deprecated)"):
        observed = seen[case]
        assert observed["status"] == 200, case
        assert observed["body"] == "temporary", case
        assert observed["headers"]["expires"] == "<temp_url_expires as an HTTP date>", case
        assert observed["headers"]["x-object-meta-public-color"] == "red", case
        assert observed["headers"]["x-object-meta-private"] == ABSENT, case
    assert seen["GET sha256"]["headers"]["content-disposition"] == (
        "attachment; filename=\"report 1.txt\"; filename*=UTF-8''report%201.txt"
    )
    assert seen["HEAD signed for HEAD"]["status"] == 200
    assert seen["HEAD signed for GET"]["status"] == 200
    assert seen["GET with filename"]["headers"]["content-disposition"] == (
        "attachment; filename=\"my file %C3%A9.txt\"; filename*=UTF-8''my%20file%20%C3%A9.txt"
    )
    assert seen["GET inline"]["headers"]["content-disposition"] == "inline"
    for case in ("GET expired", "GET wrong signature", "GET signed for PUT", "GET no expiry"):
        assert seen[case]["status"] == 401, case
    assert seen["GET expired"]["body"] == "401 Unauthorized: Temp URL invalid\n"
    assert seen["GET expired"]["headers"]["www-authenticate"] == 'Swift realm="unknown"'
    assert seen["GET signed with the account key"]["status"] == 200
