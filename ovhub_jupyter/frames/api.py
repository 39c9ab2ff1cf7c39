"""DataFrames of OVHcloud API and hubiC responses, with secrets masked.

The OVHcloud API has hundreds of calls and no fixed shapes, so ``api_frame`` shapes any
response by its JSON type: a list of records becomes rows (nested objects flattened into
dotted columns such as ``priceWithTax.value``), a list of ids one column, an object one
row, a scalar stays a value. Columns of ISO 8601 strings become ``datetime64[UTC]``.
hubiC has a handful of calls with known fields, so its tables have fixed columns.

Some responses contain secrets: a new OpenStack user's ``password``, the ``token`` of
``storage/access``, an S3 ``secret``. ``mask_secrets`` replaces the value of every field
whose name ends in a secret word by a short prefix, before any table is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..core.credentials import SwiftCredentials
from ..core.errors import secret_prefix
from .common import typed_frame

# Endings of field names (lower case, without "_" and "-") whose values are secrets:
# password, adminPassword, token, access_token, secret, client_secret, consumerKey...
SECRET_NAME_ENDINGS = ("password", "passwd", "secret", "token", "consumerkey", "privatekey", "apikey")

# An ISO 8601 date, or date and time with an optional fraction and offset.
ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)

# Column of a list of scalars when the API path gives no better name.
DEFAULT_ID_COLUMN = "value"

# Column that contains the error of an item that --expand could not fetch.
ERROR_COLUMN = "error"

HUBIC_ACCOUNT_COLUMNS = {
    "email": "string",
    "firstname": "string",
    "lastname": "string",
    "status": "string",
    "creationDate": "datetime",
}

HUBIC_USAGE_COLUMNS = {"quota": "int64", "used": "int64", "free": "int64", "percent": "float64"}

HUBIC_LINK_COLUMNS = {
    "uri": "string",
    "container": "string",
    "indirectUrl": "string",
    "creationDate": "datetime",
    "expirationDate": "datetime",
    "ttl": "Int64",
    "comment": "string",
}

HUBIC_CREDENTIALS_COLUMNS = {"storage_url": "string", "token": "string", "expires": "datetime"}

HUBIC_SCOPE_COLUMNS = {"scope": "string", "rights": "string", "granted": "string", "description": "string"}

CONTAINER_COLUMNS = {"name": "string", "region": "string", "bytes": "int64", "objects": "int64"}

PROJECT_COLUMNS = {
    "project_id": "string",
    "description": "string",
    "status": "string",
    "planCode": "string",
    "creationDate": "datetime",
}


# -- secrets --------------------------------------------------------------------------------


def is_secret_field(name: str) -> bool:
    """Return True when a field called ``name`` contains a secret (``password``, ``access_token``...)."""
    normalized = re.sub(r"[^a-z0-9]", "", name.lower())
    return normalized.endswith(SECRET_NAME_ENDINGS)


def mask_secrets(payload: Any) -> Any:
    """Return a copy of a decoded JSON response with every secret field's value cut to a prefix."""
    if isinstance(payload, Mapping):
        return {key: _masked_value(key, value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [mask_secrets(item) for item in payload]
    return payload


def _masked_value(key: Any, value: Any) -> Any:
    if not (isinstance(key, str) and is_secret_field(key)) or value is None:
        return mask_secrets(value)
    if isinstance(value, str):
        return secret_prefix(value)
    # A secret field holding an object or a number: show nothing of it.
    return "…"


# -- OVHcloud API responses --------------------------------------------------------------------


def id_column_for(path: str) -> str:
    """Return the column name for a list of ids from ``path``: its last segment (``/me/bill`` → ``bill``)."""
    segments = [segment for segment in path.partition("?")[0].split("/") if segment]
    if not segments or segments[-1].startswith("{"):
        return DEFAULT_ID_COLUMN
    return segments[-1]


def api_frame(payload: Any, id_column: str = DEFAULT_ID_COLUMN) -> Any:
    """Shape a decoded API response: records, ids and objects become DataFrames, scalars stay values.

    None (a 204 or a JSON null) stays None.
    """
    if isinstance(payload, list):
        if all(isinstance(item, Mapping) for item in payload) and payload:
            return records_frame(payload)
        if not any(isinstance(item, (Mapping, list)) for item in payload):
            return ids_frame(payload, id_column)
        # Records and scalars mixed: each scalar becomes a row with only a "value".
        rows = [item if isinstance(item, Mapping) else {DEFAULT_ID_COLUMN: item} for item in payload]
        return records_frame(rows)
    if isinstance(payload, Mapping):
        return records_frame([payload])
    return payload


def records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return one row per record, nested objects flattened into dotted columns, dates parsed."""
    frame = pd.json_normalize(list(records), sep=".")
    return parse_date_columns(frame)


def ids_frame(ids: Sequence[Any], column: str) -> pd.DataFrame:
    """Return a one-column DataFrame of ids (or any scalars), dates parsed."""
    # An empty list would otherwise give a float64 column.
    values = pd.Series(list(ids), dtype=object if not ids else None)
    return parse_date_columns(pd.DataFrame({column: values}))


def expanded_frame(
    ids: Sequence[Any],
    items: Mapping[int, Any],
    failures: Mapping[int, str],
    id_column: str,
) -> pd.DataFrame:
    """Return one row per id: the fetched item's fields, or an ``error`` for an item that failed.

    ``items`` and ``failures`` are keyed by the position of the id in ``ids``. The id is
    the first column, so a failed row still shows which item it was. The ``error`` column
    is there only when some item failed.
    """
    rows = []
    for position, item_id in enumerate(ids):
        if position in failures:
            rows.append({id_column: item_id, ERROR_COLUMN: failures[position]})
            continue
        item = items.get(position)
        fields = dict(item) if isinstance(item, Mapping) else {DEFAULT_ID_COLUMN: item}
        # The id column wins over a field of the same name, which contains the same id.
        fields.pop(id_column, None)
        rows.append({id_column: item_id, **fields})

    frame = pd.json_normalize(rows, sep=".") if rows else pd.DataFrame({id_column: pd.Series([], dtype=object)})
    if ERROR_COLUMN in frame.columns:
        frame = frame[[c for c in frame.columns if c != ERROR_COLUMN] + [ERROR_COLUMN]]
    return parse_date_columns(frame)


def parse_date_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Convert each column whose values are all ISO 8601 strings to ``datetime64[UTC]``, in place.

    A column with one value that is not such a string (or that pandas cannot read) is
    left as it is. NOTE: a time without an offset is read as UTC; the API normally writes
    the offset, and a date alone is midnight UTC.
    """
    for name in frame.columns:
        values = frame[name].dropna()
        if values.empty or not all(isinstance(value, str) and ISO_DATE.match(value) for value in values):
            continue
        try:
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        except (ValueError, OverflowError):
            continue
    return frame


def containers_frame(containers: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return a project's containers from ``GET /cloud/project/{sn}/storage``: name, region, bytes, objects."""
    rows = [
        {
            "name": container.get("name"),
            "region": container.get("region"),
            "bytes": container.get("storedBytes") or 0,
            "objects": container.get("storedObjects") or 0,
        }
        for container in containers
    ]
    return typed_frame(rows, CONTAINER_COLUMNS)


def projects_frame(projects: Sequence[str], details: Mapping[int, Mapping[str, Any]]) -> pd.DataFrame:
    """Return one row per project id, with its description, status, plan and creation date.

    ``details`` is keyed by the position of the project in ``projects``; a project whose
    details are missing has only its id.
    """
    rows = []
    for position, project_id in enumerate(projects):
        row = {name: details.get(position, {}).get(name) for name in PROJECT_COLUMNS}
        row["project_id"] = project_id
        rows.append(row)
    return typed_frame(rows, PROJECT_COLUMNS)


# -- hubiC responses ----------------------------------------------------------------------------


def hubic_account_frame(account: Mapping[str, Any]) -> pd.DataFrame:
    """Return ``GET /account`` as one row: email, names, status, creation date, then any other field."""
    return _fixed_frame([account], HUBIC_ACCOUNT_COLUMNS)


def hubic_usage_frame(usage: Mapping[str, Any]) -> pd.DataFrame:
    """Return ``GET /account/usage`` as one row: quota, used and free bytes, and the percent used."""
    quota = int(usage.get("quota") or 0)
    used = int(usage.get("used") or 0)
    percent = round(100.0 * used / quota, 2) if quota else float("nan")
    row = {"quota": quota, "used": used, "free": max(quota - used, 0), "percent": percent}
    return typed_frame([row], HUBIC_USAGE_COLUMNS)


def hubic_links_frame(links: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return published links: uri, container, indirect URL, dates, lifetime, comment."""
    return _fixed_frame(list(links), HUBIC_LINK_COLUMNS)


def hubic_credentials_frame(credentials: SwiftCredentials) -> pd.DataFrame:
    """Return the Swift storage URL, the token's prefix only, and the expiry as one row."""
    expires = pd.Timestamp(credentials.expires_at, unit="s", tz="UTC") if credentials.expires_at is not None else None
    row = {"storage_url": credentials.storage_url, "token": secret_prefix(credentials.token), "expires": expires}
    return typed_frame([row], HUBIC_CREDENTIALS_COLUMNS)


def hubic_scopes_frame(scopes: Any) -> pd.DataFrame:
    """Return ``GET /scope/scope``: one row per perimeter, with its rights."""
    if isinstance(scopes, Mapping):
        # NOTE: hubiC's shape for this call is unverified; an object is read as perimeter → details.
        scopes = [{"scope": name, **(value if isinstance(value, Mapping) else {"rights": value})} for name, value in scopes.items()]
    return _fixed_frame(list(scopes or []), HUBIC_SCOPE_COLUMNS)


def _fixed_frame(rows: list[Mapping[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    """Return ``columns`` typed and in order, then any other field of the rows, secrets masked."""
    rows = [mask_secrets(dict(row)) for row in rows]
    frame = typed_frame(rows, columns)
    extra = [name for row in rows for name in row if name not in columns]
    for name in dict.fromkeys(extra):
        frame[name] = [row.get(name) for row in rows]
    return frame
