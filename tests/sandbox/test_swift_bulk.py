"""Bulk delete in the sandbox: always 200, the outcome in a JSON, XML or plain body."""

from __future__ import annotations

import pytest
from tests.sandbox.swift_helpers import login, new_container


@pytest.fixture
def account(sandbox):
    return login(sandbox)


def test_bulk_delete_objects_then_containers(account):
    container = new_container(account, "bulk")
    account.request("PUT", f"/{container}/x", data=b"1")
    account.request("PUT", f"/{container}/y z", data=b"1")
    body = f"/{container}/x\n/{container}/y%20z\n/{container}/missing\n/{container}\n"

    response = account.request(
        "POST", "?bulk-delete", data=body.encode(), headers={"Content-Type": "text/plain", "Accept": "application/json"}
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"Response Status": "200 OK", "Response Body": "", "Number Deleted": 3, "Number Not Found": 1, "Errors": []}
    assert account.request("HEAD", f"/{container}").status_code == 404


def test_bulk_delete_reports_conflict(account):
    container = new_container(account, "bulk")
    account.request("PUT", f"/{container}/keep", data=b"1")

    response = account.request("POST", "?bulk-delete", data=f"/{container}".encode(), headers={"Accept": "application/json"})

    assert response.json()["Response Status"] == "400 Bad Request"
    assert response.json()["Errors"] == [[f"/{container}", "409 Conflict"]]


def test_bulk_delete_plain_text_result(account):
    response = account.request("POST", "?bulk-delete", data=b"")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert response.text == "Number Deleted: 0\nNumber Not Found: 0\nResponse Body: Invalid bulk delete.\nResponse Status: 400 Bad Request\nErrors:\n"


def test_bulk_delete_too_many_names(sandbox, account):
    sandbox.update_settings(max_deletes_per_request=2)

    response = account.request("POST", "?bulk-delete", data=b"/a/1\n/a/2\n/a/3\n", headers={"Accept": "application/json"})

    assert response.json()["Response Status"] == "413 Request Entity Too Large"
    assert response.json()["Response Body"] == "Maximum Bulk Deletes: 2 per request"


def test_bulk_delete_with_bad_token_reports_each_name(account):
    response = account.request(
        "POST", "?bulk-delete", data=b"/some/object", headers={"X-Auth-Token": "AUTH_tk" + "0" * 32, "Accept": "application/json"}
    )

    assert response.status_code == 200
    assert response.json()["Errors"] == [["/some/object", "401 Unauthorized"]]


def test_bulk_delete_xml_result(account):
    response = account.request("DELETE", "?bulk-delete", data=b"/zz-none/a", headers={"Accept": "application/xml"})

    assert response.text == (
        "<delete>\n<number_deleted>0</number_deleted>\n<number_not_found>1</number_not_found>\n"
        "<response_body></response_body>\n<response_status>200 OK</response_status>\n<errors>\n</errors>\n</delete>\n"
    )
