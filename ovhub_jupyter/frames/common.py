"""DataFrames of fixed shape, and the accounts table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..core.accounts import Account, AccountRegistry

ACCOUNT_COLUMNS = {
    "name": "string",
    "kind": "string",
    "endpoint": "string",
    "signed_in": "bool",
    "default": "bool",
    "source": "string",
}


def typed_frame(rows: Iterable[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    """Return a DataFrame of ``rows`` with exactly ``columns`` (name to dtype), in that order."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for name, dtype in columns.items():
        if dtype == "datetime":
            # pandas 3 infers the resolution from the values (s for an empty column, us
            # for datetimes), so it is fixed here: the dtype must not depend on the rows.
            frame[name] = pd.to_datetime(frame[name], utc=True).astype("datetime64[ns, UTC]")
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def accounts_frame(registry: AccountRegistry) -> pd.DataFrame:
    """Return the configured accounts: name, kind, endpoint, signed in, default, source (never a secret)."""
    default = registry.default
    rows = [_account_row(account, account.name == default) for account in registry.accounts()]
    return typed_frame(rows, ACCOUNT_COLUMNS)


def _account_row(account: Account, is_default: bool) -> dict[str, Any]:
    return {
        "name": account.name,
        "kind": account.kind,
        "endpoint": account.endpoint,
        "signed_in": account.signed_in,
        "default": is_default,
        "source": account.source,
    }
