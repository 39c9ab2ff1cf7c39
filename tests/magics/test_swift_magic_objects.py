"""%swift mkdir, rmdir, rm, copy, meta and tempurl, on the sandbox and the real Swift."""

from __future__ import annotations

import uuid

import requests

from ovhub_jupyter.core.accounts import REGISTRY
from tests.magics.swift_magic_helpers import any_notebook, notebook, real_notebook  # noqa: F401


def test_mkdir_creates_then_reports_existing(any_notebook):
    container = f"mk-{uuid.uuid4().hex[:10]}"
    any_notebook.forget_later(container)

    first = any_notebook.run(f"mkdir {container}")
    second = any_notebook.run(f"mkdir {container}")

    assert first.to_dict("records") == [{"container": container, "created": True}]
    assert not second["created"].iloc[0]
    assert any_notebook.storage.container_exists(container)


def test_rmdir_refuses_non_empty_container(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "keep", b"x")

    message = any_notebook.error(f"rmdir {container}")

    assert f"delete container {container!r} failed: the container is not empty" in message
    assert "HTTP 409" in message
    assert "X-Trans-Id" in message
    assert f"%swift rmdir {container} --force" in message
    assert any_notebook.storage.object_exists(container, "keep")


def test_rmdir_force_empties_then_deletes(any_notebook):
    container = any_notebook.new_container()
    for name in ("a", "b/c", "big"):
        any_notebook.storage.upload_bytes(container, name, bytes(2500), segment_size=1024)

    frame = any_notebook.run(f"rmdir {container} --force")

    assert frame.to_dict("records") == [{"container": container, "deleted": 3, "not_found": 0, "failed": 0}]
    assert not any_notebook.storage.container_exists(container)


def test_rmdir_empty_container(any_notebook):
    container = any_notebook.new_container()

    frame = any_notebook.run(f"rmdir {container}")

    assert frame["deleted"].iloc[0] == 0
    assert not any_notebook.storage.container_exists(container)


def test_rm_objects_and_missing_ones(any_notebook):
    container = any_notebook.new_container()
    for name in ("a", "b", "c"):
        any_notebook.storage.upload_bytes(container, name, b"x")

    frame = any_notebook.run(f"rm {container}/a {container}/b {container}/missing")

    assert frame.to_dict("records") == [{"container": container, "deleted": 2, "not_found": 1, "failed": 0}]
    assert any_notebook.storage.list_objects(container)[0].name == "c"
    assert len(any_notebook.storage.list_objects(container)) == 1


def test_rm_static_large_object_deletes_segments(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "big", bytes(3000), segment_size=1024)

    any_notebook.run(f"rm {container}/big")

    assert any_notebook.storage.list_objects(container) == []
    assert any_notebook.storage.list_objects(container + "_segments") == []


def test_rm_prefix(any_notebook):
    container = any_notebook.new_container()
    for name in ("tmp/1", "tmp/2", "keep"):
        any_notebook.storage.upload_bytes(container, name, b"x")

    frame = any_notebook.run(f"rm {container} --prefix tmp/")

    assert frame["deleted"].iloc[0] == 2
    assert [e.name for e in any_notebook.storage.list_objects(container)] == ["keep"]


def test_rm_empty_prefix_is_rejected_before_requests(notebook):
    container = notebook.new_container()
    before = notebook.request_count()

    message = notebook.error(f"rm {container} --prefix ''")

    assert "--prefix is empty" in message
    assert notebook.request_count() == before


def test_copy_to_container_keeps_name(any_notebook):
    source = any_notebook.new_container()
    target = any_notebook.new_container()
    any_notebook.storage.upload_bytes(source, "dir/a.csv", b"1,2\n")

    same_name = any_notebook.run(f"copy {source}/dir/a.csv {target}")
    renamed = any_notebook.run(f"copy {source}/dir/a.csv {target}/b.csv")
    into_prefix = any_notebook.run(f"copy {source}/dir/a.csv {target}/archive/")

    assert same_name["destination"].iloc[0] == f"{target}/dir/a.csv"
    assert renamed["destination"].iloc[0] == f"{target}/b.csv"
    assert into_prefix["destination"].iloc[0] == f"{target}/archive/a.csv"
    for name in ("dir/a.csv", "b.csv", "archive/a.csv"):
        assert any_notebook.storage.download_bytes(target, name) == b"1,2\n"


def test_meta_object_read_set_remove(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "o", b"x", metadata={"stage": "draft"})

    before = any_notebook.run(f"meta {container}/o")
    after = any_notebook.run(f"meta {container}/o owner=Ana stage=")

    assert before.to_dict("records") == [{"key": "stage", "value": "draft"}]
    assert after.to_dict("records") == [{"key": "owner", "value": "Ana"}]
    assert any_notebook.storage.stat_object(container, "o").metadata == {"owner": "Ana"}


def test_meta_container_set_and_read(any_notebook):
    container = any_notebook.new_container()

    frame = any_notebook.run(f"meta {container} project=démo")

    assert frame.to_dict("records") == [{"key": "project", "value": "démo"}]
    assert any_notebook.run(f"meta {container}").equals(frame)


def test_meta_account_hides_temp_url_key(notebook):
    notebook.run("tempurl x/y --ttl 60")

    frame = notebook.run("meta")

    assert not frame["key"].str.startswith("temp-url-key").any()
    assert "temp-url-key" not in frame.to_string()


def test_tempurl_downloads_without_token(any_notebook):
    container = any_notebook.new_container()
    any_notebook.storage.upload_bytes(container, "r é.txt", b"public for an hour")

    url = any_notebook.run(f"tempurl '{container}/r é.txt' --ttl 1h")

    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == b"public for an hour"


def test_tempurl_put_method(any_notebook):
    container = any_notebook.new_container()

    url = any_notebook.run(f"tempurl {container}/upload.bin --method put --ttl 600")

    response = requests.put(url, data=b"sent", timeout=10)
    assert response.status_code == 201
    assert any_notebook.storage.download_bytes(container, "upload.bin") == b"sent"


def test_tempurl_bad_ttl_fails_before_requests(notebook):
    container = notebook.new_container()
    before = notebook.request_count()

    for ttl in ("0", "-5", "soon", "1w"):
        message = notebook.error(f"tempurl {container}/o --ttl {ttl}")
        assert "invalid duration" in message

    assert notebook.request_count() == before


def test_tempurl_shows_no_token(notebook):
    container = notebook.new_container()
    token = REGISTRY.get("hubic").provider.get().token

    url = notebook.run(f"tempurl {container}/o")

    assert token not in url
