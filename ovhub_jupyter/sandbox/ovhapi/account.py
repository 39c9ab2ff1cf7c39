"""Account routes: ``/me``, bills, and the account's applications and consumer keys."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

from ..state import SandboxState
from .common import caller_account, iso_datetime, parse_datetime
from .responses import ApiError, bad_request, object_not_found
from .routing import Call, Router
from .store import ConsumerKey, CredentialStore

# Fields of /me that PUT /me may change.
WRITABLE_ME_FIELDS = ("firstname", "name", "language", "phone", "address", "city", "zip", "organisation")

# Price without tax of the seeded bills, by month (January first), in euros.
BILL_AMOUNTS = [12.99, 8.40, 23.75, 15.00, 9.99, 31.20, 12.99, 18.60, 7.45, 26.10, 14.30, 40.00]

# French VAT rate applied to the seeded bills.
BILL_TAX_RATE = 0.20

# How many monthly bills the account has: the twelve months before the current one.
# Bills are seeded for each month of this year, the year of the seeded storage data.
BILL_YEAR = 2024
BILL_MONTHS = 12


def credential_view(consumer_key: ConsumerKey, application_id: int | None, now: float) -> dict[str, Any]:
    """Return a consumer key as ``/auth/currentCredential`` and ``/me/api/credential/{id}`` show it."""
    return {
        "credentialId": consumer_key.credential_id,
        "status": consumer_key.status_at(now),
        "applicationId": application_id,
        "creation": iso_datetime(consumer_key.created_at),
        "expiration": iso_datetime(consumer_key.expires_at),
        "lastUse": iso_datetime(consumer_key.last_use),
        "ovhSupport": False,
        "rules": [dict(rule) for rule in consumer_key.rules],
        "allowedIPs": consumer_key.allowed_ips,
    }


def _price(value: float) -> dict[str, Any]:
    return {"currencyCode": "EUR", "text": f"{value:.2f} €", "value": round(value, 2)}


def seeded_bills(now: float) -> list[dict[str, Any]]:
    """Return the account's bills, oldest first: one on the 5th of each month of ``BILL_YEAR``.

    The dates are fixed, like the rest of the seeded data, so notebook outputs and tests
    stay the same from one day to the next. ``now`` is unused but kept for the callers.
    """
    bills = []
    for month in range(1, BILL_MONTHS + 1):
        year = BILL_YEAR
        without_tax = BILL_AMOUNTS[month - 1]
        tax = round(without_tax * BILL_TAX_RATE, 2)
        bills.append(
            {
                "billId": f"FR{year % 100:02d}{month:02d}{month * 1731 % 100000:05d}",
                "date": datetime(year, month, 5, 9, 30, tzinfo=timezone.utc).isoformat(),
                "orderId": 200000000 + year * 100 + month,
                "priceWithoutTax": _price(without_tax),
                "tax": _price(tax),
                "priceWithTax": _price(without_tax + tax),
                "category": "purchase-cloud",
            }
        )
    return bills


class AccountRoutes:
    """``/me`` and what hangs under it."""

    def __init__(self, state: SandboxState, store: CredentialStore) -> None:
        self.state = state
        self.store = store
        self._lock = threading.Lock()
        # Changes made with PUT /me, until the next reset.
        self._me_changes: dict[str, Any] = {}

    def reset(self) -> None:
        with self._lock:
            self._me_changes.clear()

    def register(self, router: Router) -> None:
        router.add("GET", "/me", self.get_me)
        router.add("PUT", "/me", self.put_me)
        router.add("GET", "/me/bill", self.list_bills)
        router.add("GET", "/me/bill/{billId}", self.get_bill)
        router.add("GET", "/me/api/application", self.list_applications)
        router.add("GET", "/me/api/application/{applicationId}", self.get_application)
        router.add("DELETE", "/me/api/application/{applicationId}", self.delete_application)
        router.add("GET", "/me/api/credential", self.list_credentials)
        router.add("GET", "/me/api/credential/{credentialId}", self.get_credential)
        router.add("DELETE", "/me/api/credential/{credentialId}", self.delete_credential)

    # -- /me ------------------------------------------------------------------------------

    def get_me(self, call: Call) -> dict[str, Any]:
        demo = self.state.demo["ovh"]
        me = {
            "nichandle": demo["nic"],
            "email": demo["email"],
            "firstname": "Demo",
            "name": "User",
            "country": "FR",
            "language": "en_GB",
            "currency": {"code": "EUR", "symbol": "EURO"},
            "ovhSubsidiary": "FR",
            "ovhCompany": "ovh",
            "legalform": "individual",
            "state": "complete",
            "organisation": "",
            "address": "2 rue Kellermann",
            "city": "Roubaix",
            "zip": "59100",
            "phone": "+33.123456789",
            "customerCode": "0000-0000-00",
            "kycValidated": True,
        }
        with self._lock:
            me.update(self._me_changes)
        return me

    def put_me(self, call: Call) -> None:
        body = call.body_object()
        unknown = sorted(set(body) - set(WRITABLE_ME_FIELDS))
        if unknown:
            raise ApiError(bad_request(f"Unknown or read-only properties: {', '.join(unknown)}"))
        for name, value in body.items():
            if not isinstance(value, str):
                raise ApiError(bad_request(f"Invalid value for property {name}: expected a string"))
        with self._lock:
            self._me_changes.update(body)
        return None

    # -- bills ----------------------------------------------------------------------------

    def list_bills(self, call: Call) -> list[str]:
        start = call.query.get("date.from")
        end = call.query.get("date.to")
        start_at = parse_datetime("date.from", start) if start else None
        end_at = parse_datetime("date.to", end) if end else None
        ids = []
        for bill in seeded_bills(call.now):
            date = datetime.fromisoformat(bill["date"])
            if start_at is not None and date < start_at:
                continue
            if end_at is not None and date > end_at:
                continue
            ids.append(bill["billId"])
        return ids

    def get_bill(self, call: Call) -> dict[str, Any]:
        bill_id = call.params["billId"]
        for bill in seeded_bills(call.now):
            if bill["billId"] == bill_id:
                return bill
        raise ApiError(object_not_found("billId", bill_id))

    # -- applications and consumer keys of the account ------------------------------------

    def _application(self, call: Call) -> Any:
        value = call.params["applicationId"]
        for application in self.store.applications_of(caller_account(call)):
            if str(application.application_id) == value:
                return application
        raise ApiError(object_not_found("applicationId", value))

    def list_applications(self, call: Call) -> list[int]:
        return [app.application_id for app in self.store.applications_of(caller_account(call))]

    def get_application(self, call: Call) -> dict[str, Any]:
        return self._application(call).public()

    def delete_application(self, call: Call) -> None:
        self.store.delete_application(self._application(call))
        return None

    def _application_id(self, consumer_key: ConsumerKey) -> int | None:
        application = self.store.application(consumer_key.application_key)
        return application.application_id if application else None

    def _credential(self, call: Call) -> ConsumerKey:
        value = call.params["credentialId"]
        for consumer_key in self.store.consumer_keys_of(caller_account(call)):
            if str(consumer_key.credential_id) == value:
                return consumer_key
        raise ApiError(object_not_found("credentialId", value))

    def list_credentials(self, call: Call) -> list[int]:
        application_id = call.query.get("applicationId")
        status = call.query.get("status")
        ids = []
        for consumer_key in self.store.consumer_keys_of(caller_account(call)):
            if application_id is not None and str(self._application_id(consumer_key)) != application_id:
                continue
            if status is not None and consumer_key.status_at(call.now) != status:
                continue
            ids.append(consumer_key.credential_id)
        return ids

    def get_credential(self, call: Call) -> dict[str, Any]:
        consumer_key = self._credential(call)
        return credential_view(consumer_key, self._application_id(consumer_key), call.now)

    def delete_credential(self, call: Call) -> None:
        self.store.delete_consumer_key(self._credential(call))
        return None
