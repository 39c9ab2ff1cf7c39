"""Turn core results into pandas DataFrames with fixed columns and dtypes.

Every magic that returns a table builds it here, so a given command always gives the
same columns in the same order and with the same dtypes, even when there are no rows
(an empty listing is an empty DataFrame with the usual columns, not a DataFrame without
columns). Times are ``datetime64[ns, UTC]``. One module per source: ``common`` (shared
helpers and the accounts table), ``swift`` (listings, stats, transfers), ``api`` (OVHcloud
API and hubiC answers).
"""

from .common import ACCOUNT_COLUMNS, accounts_frame, typed_frame

__all__ = ["ACCOUNT_COLUMNS", "accounts_frame", "typed_frame"]
