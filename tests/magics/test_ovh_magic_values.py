"""How %ovh reads NAME=VALUE parameters and shapes responses, without a server."""

from __future__ import annotations

import pytest

from ovhub_jupyter.frames.api import api_frame, id_column_for, is_secret_field, mask_secrets
from ovhub_jupyter.magics.base import MagicUsageError
from ovhub_jupyter.magics.ovh import parse_cell_body, parse_parameters, parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("false", False),
        ("12", 12),
        ("-3", -3),
        ("2.5", 2.5),
        ("2024-01-01", "2024-01-01"),
        ("007", "007"),
        ("1.50", "1.50"),
        ("1e3", "1e3"),
        ("null", "null"),
        ("True", "True"),
        ("", ""),
    ],
)
def test_value_typing(text, expected):
    value = parse_value(text)

    assert value == expected
    assert type(value) is type(expected)


def test_repeated_name_becomes_list():
    assert parse_parameters(["id=1", "id=2", "name=x"]) == {"id": [1, 2], "name": "x"}


def test_json_parameter_takes_any_value():
    parameters = parse_parameters(['roles:=["a","b"]', "expiration:=null", 'label:="12"'])

    assert parameters == {"roles": ["a", "b"], "expiration": None, "label": "12"}


def test_value_may_contain_equals_sign():
    assert parse_parameters(["filter=a=b"]) == {"filter": "a=b"}


def test_cell_error_names_line_and_column():
    with pytest.raises(MagicUsageError, match="line 2 column 8"):
        parse_cell_body('{"a": 1,\n  "b": ,}')


def test_empty_cell_is_no_body():
    assert parse_cell_body("  \n") == {}


@pytest.mark.parametrize(
    "name", ["password", "adminPassword", "token", "access_token", "secret", "client_secret", "consumerKey", "X-Auth-Token"]
)
def test_secret_field_names(name):
    assert is_secret_field(name)


@pytest.mark.parametrize("name", ["description", "tokenExpiry", "access", "username", "secretariat"])
def test_ordinary_field_names(name):
    assert not is_secret_field(name)


def test_mask_secrets_reaches_nested_fields():
    masked = mask_secrets({"user": {"password": "abcdefghijkl"}, "keys": [{"secret": "0123456789abcdef"}], "name": "x"})

    assert masked == {"user": {"password": "abcd…"}, "keys": [{"secret": "0123…"}], "name": "x"}


def test_id_column_is_last_path_segment():
    assert id_column_for("/me/bill?date.from=2024-01-01") == "bill"
    assert id_column_for("/") == "value"


def test_date_column_only_when_every_value_parses():
    frame = api_frame([{"when": "2024-01-05T09:30:00+01:00", "code": "2024-13-45"}, {"when": None, "code": "2024-01-01"}])

    assert str(frame["when"].dtype).startswith("datetime64")
    assert frame["when"].iloc[0].isoformat() == "2024-01-05T08:30:00+00:00"
    assert frame["code"].tolist() == ["2024-13-45", "2024-01-01"]


def test_none_stays_none():
    assert api_frame(None) is None
