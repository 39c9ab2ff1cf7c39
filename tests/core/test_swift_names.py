"""Swift names: encoding, validation before any request, and byte-for-byte round trips."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.swift_names import (
    SwiftLimits,
    object_reference,
    parse_object_reference,
    quote_name,
    validate_container_name,
    validate_metadata,
    validate_object_name,
)

# -- encoding --------------------------------------------------------------------------------


def test_quote_name_keeps_slash_and_encodes_utf8():
    assert quote_name("a b/c#d?e%f&g+h") == "a%20b/c%23d%3Fe%25f%26g%2Bh"
    assert quote_name("é") == "%C3%A9"
    assert quote_name("a//b/") == "a//b/"


def test_quote_name_does_not_normalize_unicode():
    composed = "\u00e9"
    decomposed = "e\u0301"

    assert quote_name(composed) == "%C3%A9"
    assert quote_name(decomposed) == "e%CC%81"


def test_quote_name_encodes_dot_segments():
    assert quote_name("x/../y") == "x/%2E%2E/y"
    assert quote_name("./a") == "%2E/a"
    assert quote_name("..") == "%2E%2E"
    assert quote_name("a.b/...") == "a.b/..."


def test_object_reference_round_trips():
    container, name = "c #1", "dir/a?b%c"

    encoded = object_reference(container, name)

    assert encoded == "c%20%231/dir/a%3Fb%25c"
    assert parse_object_reference(encoded) == (container, name)


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("", "empty"),
        ("a/b", "contains '/'"),
        ("a\x00b", "NUL"),
        ("x" * 257, "257 bytes of UTF-8, more than the limit of 256"),
        ("é" * 129, "258 bytes of UTF-8, more than the limit of 256"),
        ("bad\udc80", "not valid UTF-8"),
    ],
)
def test_invalid_container_names_are_rejected(name, fragment):
    with pytest.raises(errors.InvalidInputError) as caught:
        validate_container_name(name)

    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("", "empty"),
        ("a\x00b", "NUL"),
        ("x" * 1025, "1025 bytes of UTF-8, more than the limit of 1024"),
        ("\udcff", "lone surrogate"),
    ],
)
def test_invalid_object_names_are_rejected(name, fragment):
    with pytest.raises(errors.InvalidInputError) as caught:
        validate_object_name(name)

    assert fragment in str(caught.value)


def test_long_name_is_shortened_in_message():
    with pytest.raises(errors.InvalidInputError) as caught:
        validate_object_name("y" * 5000)

    message = str(caught.value)
    assert len(message) < 300
    assert "…" in message


def test_non_str_name_is_rejected():
    with pytest.raises(errors.InvalidInputError, match="must be a str"):
        validate_object_name(b"bytes")


def test_cluster_limits_replace_defaults():
    limits = SwiftLimits.from_info({"swift": {"max_object_name_length": 10, "max_container_name_length": 4}})

    assert validate_object_name("x" * 10, limits) == "x" * 10
    with pytest.raises(errors.InvalidInputError, match="limit of 10"):
        validate_object_name("x" * 11, limits)
    with pytest.raises(errors.InvalidInputError, match="limit of 4"):
        validate_container_name("abcde", limits)


def test_limits_from_info_read_features():
    info = {
        "swift": {"max_file_size": 100, "container_listing_limit": 7},
        "slo": {"max_manifest_segments": 3, "min_segment_size": 2},
        "bulk_delete": {"max_deletes_per_request": 9},
        "tempurl": {"allowed_digests": ["sha1", "SHA512"]},
    }

    limits = SwiftLimits.from_info(info)

    assert limits.max_file_size == 100
    assert limits.container_listing_limit == 7
    assert limits.slo is True
    assert limits.max_manifest_segments == 3
    assert limits.min_segment_size == 2
    assert limits.bulk_delete is True
    assert limits.max_deletes_per_request == 9
    assert limits.tempurl_digests == ("sha1", "sha512")


def test_limits_from_info_without_features():
    limits = SwiftLimits.from_info({"swift": {"version": "2.30"}})

    assert limits.slo is False
    assert limits.bulk_delete is False
    assert limits.tempurl_digests is None
    assert limits.max_file_size == 5368709122


# -- metadata --------------------------------------------------------------------------------


def test_metadata_keys_are_lowered_and_removals_kept():
    checked = validate_metadata({"Project": "été", "Old": None})

    assert checked == {"project": "été", "old": None}


@pytest.mark.parametrize(
    "metadata, fragment",
    [
        ({"bad key": "v"}, "invalid metadata key 'bad key'"),
        ({"clé": "v"}, "only ASCII letters"),
        ({"k" * 129: "v"}, "129 bytes, more than the limit of 128"),
        ({"k": "v" * 257}, "257 bytes of UTF-8, more than the limit of 256"),
        ({"k": "é" * 129}, "258 bytes of UTF-8"),
        ({"k": "line\nbreak"}, "line break"),
        ({f"k{i}": "v" for i in range(91)}, "91 items, more than the limit of 90"),
        ({f"k{i:02d}": "v" * 250 for i in range(17)}, "bytes of keys and values, more than the limit of 4096"),
    ],
)
def test_invalid_metadata_is_rejected(metadata, fragment):
    with pytest.raises(errors.InvalidInputError) as caught:
        validate_metadata(metadata)

    assert fragment in str(caught.value)


# -- property tests --------------------------------------------------------------------------

# Any Unicode text without surrogates or NUL: what a valid object name may contain.
_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)

# Path-like names built from the segments that URL handling tends to rewrite.
_PATH_LIKE = st.lists(
    st.sampled_from(["", ".", "..", "a", "é", " ", "%2E", "%2F", "?", "#", "+"]) | _ANY_TEXT,
    min_size=1,
    max_size=5,
).map("/".join).filter(bool)

_NAME_TEXT = _ANY_TEXT | _PATH_LIKE


@settings(max_examples=200, deadline=None)
@given(_NAME_TEXT)
def test_quote_name_inverts_byte_for_byte(name):
    from urllib.parse import unquote_to_bytes

    encoded = quote_name(name)

    assert encoded.isascii()
    assert unquote_to_bytes(encoded) == name.encode("utf-8")
    assert encoded.count("/") == name.count("/")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_NAME_TEXT)
@example(name="x/../y")
@example(name=".")
@example(name="a//b/")
def test_valid_names_round_trip_on_server(swift_server, account, container, name):
    data = name.encode("utf-8")

    account.upload_bytes(container, name, data)
    listed = [entry.name for entry in account.list_objects(container, prefix=name)]
    stored = account.download_bytes(container, name)

    assert name in listed
    assert stored == data
    account.delete_object(container, name)


_INVALID_NAMES = st.one_of(
    st.just(""),
    st.text(min_size=0, max_size=5).map(lambda text: text.replace("\udc80", "") + "\x00"),
    st.text(alphabet="ab", min_size=1025, max_size=1100),
    st.text(alphabet="é", min_size=513, max_size=600),
    st.text(min_size=0, max_size=5).map(lambda text: text + "\udc80"),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_INVALID_NAMES)
def test_invalid_names_send_no_request(swift_server, account, container, name):
    before = account.http.sent

    with pytest.raises(errors.InvalidInputError):
        account.upload_bytes(container, name, b"data")
    with pytest.raises(errors.InvalidInputError):
        account.download_bytes(container, name)
    with pytest.raises(errors.InvalidInputError):
        account.delete_objects(container, ["fine", name])
    with pytest.raises(errors.InvalidInputError):
        account.create_container(name + "/x")

    assert account.http.sent == before


def test_invalid_name_sends_nothing_to_sandbox(sandbox_server):
    account = sandbox_server.account()
    before = sandbox_server.sandbox.request_count()

    with pytest.raises(errors.InvalidInputError):
        account.upload_bytes("box", "x" * 1025, b"data")
    with pytest.raises(errors.InvalidInputError):
        account.stat_object("bad/container", "name")

    assert sandbox_server.sandbox.request_count() == before
