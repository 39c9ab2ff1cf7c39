"""The ``%ovh_login`` panel: get a consumer key for an existing OVHcloud API application.

"Request" requests a consumer key with the chosen access rules (``POST /auth/credential``)
and shows the ``validationUrl`` as a link and as an open-in-a-new-tab button. A background
thread then polls ``/auth/currentCredential`` with the core's ``wait_for_validation``,
whose wait starts at 2 s and grows, until the key is validated, refused or expired, or
the user presses Cancel. Once validated, ``GET /me`` names the account, the ``ovh``
account is registered, and "Save to ovh.conf" writes the keys (mode 0600, atomic).

``KeyConfirmation`` is the part after the request (waiting, confirming, saving), which
``%ovh_create_app`` shares.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..core import config, errors
from ..core.accounts import REGISTRY, Account
from ..core.errors import secret_prefix
from ..core.http import NO_RETRY, HttpClient
from ..core.ovh import VALIDATION_POLL_INITIAL, OvhClient, ValidationTimeoutError
from .panel import (
    AccessRulesEditor,
    EndpointPicker,
    OpenButton,
    Panel,
    labelled,
    link_html,
    sandbox_account,
    take_value,
    text_field,
)

logger = logging.getLogger(__name__)

# Seconds to wait for the validation before giving up (the validation URL stays usable).
DEFAULT_VALIDATION_TIMEOUT = 600.0

# Name of the registry account that OVHcloud API keys give.
ACCOUNT_NAME = "ovh"


# State the panel gives a key whose validation page closed while the API still reports it
# pending: the account holder refused it, or it expired.
CLOSED = "closed"


class PollingCancelled(Exception):
    """The user pressed Cancel while the panel waited for the validation."""


class ValidationPageClosed(Exception):
    """The validation page no longer offers the request, though the key is not validated."""


def validation_page_closed(http: HttpClient, validation_url: str) -> bool:
    """Return True when the validation page returns 404 or 410: the request was decided or expired.

    NOTE: the API returns 403 INVALID_CREDENTIAL for a pending key and for a refused one
    alike (the sandbox does, and the real API is undocumented), so polling alone would
    see a refused key as pending until the wait times out. The page's status is the
    sandbox's behaviour; on the real service the check may never fire, which leaves
    the timeout.
    """
    try:
        response = http.request("GET", validation_url, headers={"Accept": "text/html"})
    except errors.ConnectionFailedError:
        return False
    response.close()
    return response.status_code in (404, 410)


@dataclass(repr=False)
class OvhSettings:
    """The endpoint and application keys a panel starts with, and where the secret came from."""

    endpoint: str | None = None
    application_key: str = ""
    application_secret: str = field(default="", repr=False)
    secret_source: str | None = None
    # The sandbox's API base URL when %ovhub sandbox ran, offered in the endpoint list.
    sandbox_url: str | None = None


def resolve_settings(
    endpoint: str | None = None, application_key: str | None = None, application_secret: str | None = None
) -> OvhSettings:
    """Return the settings a panel starts with: the options, else the registered ``ovh`` account, else ovh.conf.

    The registered account reflects this session (``%ovhub sandbox``, an earlier sign-in,
    or ovh.conf as loaded), so it wins over reading ovh.conf again. A secret is taken
    only with its own application key.
    """
    settings = OvhSettings()
    sandbox = sandbox_account("ovh")
    if sandbox is not None and isinstance(sandbox.client, OvhClient):
        settings.sandbox_url = sandbox.client.base_url
    registered = REGISTRY.get(ACCOUNT_NAME) if ACCOUNT_NAME in REGISTRY.names() else sandbox
    client = getattr(registered, "client", None)
    if isinstance(client, OvhClient) and client.oauth2 is None:
        settings.endpoint = client.endpoint
        settings.application_key = client.application_key or ""
        settings.application_secret = client.application_secret or ""
        settings.secret_source = "the sandbox" if registered.source == "sandbox" else f"the account {registered.name!r}"
    else:
        configured = config.load_ovh_config()
        settings.endpoint = configured.endpoint
        if configured.has_application_keys:
            settings.application_key = configured.application_key or ""
            settings.application_secret = configured.application_secret or ""
            settings.secret_source = configured.sources.get("application_secret", "ovh.conf")

    if endpoint:
        settings.endpoint = endpoint
    if application_key and application_key != settings.application_key:
        settings.application_key = application_key
        settings.application_secret, settings.secret_source = "", None
    if application_secret:
        settings.application_secret, settings.secret_source = application_secret, "the options"
    return settings


# -- after the request: wait, confirm, save ----------------------------------------------------------


@dataclass(repr=False)
class _PendingKey:
    endpoint: str
    application_key: str
    application_secret: str
    consumer_key: str
    validation_url: str


class KeyConfirmation:
    """The validation link, the wait for it, "Signed in as", and saving the keys.

    It reports through the owning panel's status line and runs its wait in the panel's
    background threads.
    """

    def __init__(
        self,
        panel: Panel,
        *,
        poll_interval: float = VALIDATION_POLL_INITIAL,
        timeout: float = DEFAULT_VALIDATION_TIMEOUT,
        config_file: str | Path | None = None,
        on_finished: Callable[[str], Any] | None = None,
    ) -> None:
        self.panel = panel
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.config_file = config_file
        # Called with the final state (validated, refused, expired) once the outcome is shown.
        self.on_finished = on_finished
        self.client: OvhClient | None = None
        self.me: dict[str, Any] | None = None
        self.state: str | None = None
        self._cancel = threading.Event()
        self._pending: _PendingKey | None = None

        self.link = widgets.HTML("")
        self.link.add_class("ovhub-validation-link")
        self.open_validation = OpenButton(description="Open the validation page",
                                          tooltip="log in and accept the access request in a new tab")
        self.open_validation.add_class("ovhub-open-validation")
        self.cancel_button = widgets.Button(description="Cancel", tooltip="stop waiting for the validation")
        self.cancel_button.add_class("ovhub-cancel")
        self.cancel_button.on_click(lambda _button: self.cancel())
        self.waiting_row = widgets.HBox([self.open_validation, self.cancel_button])
        self.waiting_row.layout.display = "none"

        self.signed_in = widgets.HTML("")
        self.signed_in.add_class("ovhub-signed-in")
        self.save = widgets.Button(description="Save to ovh.conf", disabled=True,
                                   tooltip="write the endpoint and keys to ovh.conf (mode 0600)")
        self.save.add_class("ovhub-save")
        self.save.on_click(lambda _button: self.save_keys())
        self.widget = widgets.VBox([self.link, self.waiting_row, self.signed_in, self.save])

    # -- waiting for a validation in a browser ---------------------------------------------

    def wait(self, endpoint: str, application_key: str, application_secret: str, answer: dict[str, Any]) -> threading.Thread:
        """Show the validation URL of a consumer key request, and poll it in the background."""
        self.cancel()
        pending = self._set_pending(endpoint, application_key, application_secret, answer)
        self.link.value = "Validate the access request: " + link_html(pending.validation_url)
        self.open_validation.url = pending.validation_url
        self.waiting_row.layout.display = None
        self.cancel_button.disabled = False
        self._cancel = threading.Event()
        self.panel.status.show("Waiting for the validation: open the validation page, log in and accept.")
        cancel = self._cancel
        return self.panel.run_in_background(lambda: self._poll(pending, cancel), "ovh-validation")

    def show_link(self, endpoint: str, application_key: str, application_secret: str, answer: dict[str, Any]) -> None:
        """Remember a consumer key request and show its validation URL, without waiting."""
        pending = self._set_pending(endpoint, application_key, application_secret, answer)
        self.link.value = "Validation page: " + link_html(pending.validation_url)

    def _set_pending(self, endpoint: str, application_key: str, application_secret: str, answer: dict[str, Any]) -> _PendingKey:
        self.state = "pendingValidation"
        self.save.disabled = True
        self.signed_in.value = ""
        self._pending = _PendingKey(endpoint, application_key, application_secret,
                                    answer["consumerKey"], answer["validationUrl"])
        return self._pending

    def cancel(self) -> None:
        """Stop a wait in progress; the validation URL stays usable until it expires."""
        self._cancel.set()
        self.cancel_button.disabled = True

    def _poll(self, pending: _PendingKey, cancel: threading.Event) -> None:
        def sleep(seconds: float) -> None:
            if cancel.wait(seconds):
                raise PollingCancelled()

        def check_page(state: str) -> None:
            if state == "pendingValidation" and validation_page_closed(page_reader, pending.validation_url):
                raise ValidationPageClosed()

        poller = OvhClient(pending.endpoint, pending.application_key, pending.application_secret, sleep=sleep)
        page_reader = HttpClient("ovh", retry=NO_RETRY)
        try:
            if cancel.is_set():
                raise PollingCancelled()
            try:
                state = poller.wait_for_validation(pending.consumer_key, timeout=self.timeout,
                                                   interval=self.poll_interval, on_poll=check_page)
            except ValidationPageClosed:
                # Validated between the two checks, or refused: check the API once more.
                state = poller.credential_state(pending.consumer_key)
                if state == "pendingValidation":
                    state = CLOSED
        except PollingCancelled:
            self.panel.status.show("Stopped waiting. Press Request for a new consumer key when you are ready.")
            return
        except ValidationTimeoutError as exc:
            self.panel.status.error(exc)
            return
        finally:
            poller.http.close()
            page_reader.close()
            self.cancel_button.disabled = True
        if cancel.is_set():
            return
        self.finish(state)

    # -- the outcome -------------------------------------------------------------------------

    def finish(self, state: str) -> None:
        """Act on the consumer key's final state: confirm and register it, or show why not."""
        pending = self._pending
        if pending is None:
            return
        self.state = state
        self.waiting_row.layout.display = "none"
        try:
            self._show_outcome(pending, state)
        finally:
            if self.on_finished is not None:
                self.on_finished(state)

    def _show_outcome(self, pending: _PendingKey, state: str) -> None:
        if state == "refused":
            self.panel.status.error("The access request was refused. Press Request to ask again.")
            return
        if state == "expired":
            self.panel.status.error("The access request expired before it was validated. Press Request to ask again.")
            return
        if state == CLOSED:
            self.panel.status.error("The access request was refused or has expired: its validation page no longer "
                                    "offers it. Press Request to ask again.")
            return
        if state != "validated":
            self.panel.status.error(f"The consumer key is {state}, not validated.")
            return

        client = OvhClient(pending.endpoint, pending.application_key, pending.application_secret, pending.consumer_key)
        try:
            me = client.whoami()
        except errors.OvhubError as exc:
            client.http.close()
            self.panel.status.error(exc)
            return
        self.client, self.me = client, me
        REGISTRY.register(Account(name=ACCOUNT_NAME, kind="ovh", endpoint=client.base_url, client=client, source="session"))
        nichandle = str(me.get("nichandle") or "an unknown account") if isinstance(me, dict) else "an unknown account"
        self.signed_in.value = signed_in_html(me, client)
        self.save.disabled = False
        logger.info("OVHcloud API consumer key %s validated for %s", secret_prefix(pending.consumer_key), nichandle)
        self.panel.status.show(f"Signed in as {nichandle}; registered as the account {ACCOUNT_NAME!r}.", "success")

    def save_keys(self) -> None:
        """Write the endpoint and keys to ovh.conf (``config_file``, default ~/.ovh.conf)."""
        client = self.client
        if client is None or not client.consumer_key:
            self.panel.status.error("Nothing to save yet: the consumer key is not validated.")
            return
        try:
            path = config.save_ovh_keys(client.endpoint, client.application_key or "", client.application_secret or "",
                                        client.consumer_key, self.config_file)
        except errors.OvhubError as exc:
            self.panel.status.error(exc)
            return
        self.panel.status.show(f"Saved the keys for {client.endpoint} in {path} (mode 0600).", "success")


def signed_in_html(me: Any, client: OvhClient) -> str:
    """Return who the keys belong to, as HTML: NIC handle, name, email, endpoint."""
    me = me if isinstance(me, dict) else {}
    name = " ".join(str(me.get(key) or "") for key in ("firstname", "name")).strip()
    parts = [f"Signed in as <b>{html.escape(str(me.get('nichandle') or 'unknown'))}</b>"]
    if name:
        parts.append(f" ({html.escape(name)})")
    if me.get("email"):
        parts.append(f", {html.escape(str(me['email']))}")
    parts.append(f" on {html.escape(client.endpoint)}")
    return "".join(parts)


def split_ips(text: str) -> list[str] | None:
    """Return the allowed IP networks typed as a comma- or space-separated list, or None for none."""
    items = [item for item in text.replace(",", " ").split() if item]
    return items or None


# -- the panel --------------------------------------------------------------------------------------


class OvhLoginPanel(Panel):
    """Request a consumer key for an application, wait for its validation, register and save it."""

    css_class = "ovhub-ovh-login"

    def __init__(
        self,
        settings: OvhSettings | None = None,
        *,
        rules: Any = "full",
        redirection: str = "",
        allowed_ips: str = "",
        poll_interval: float = VALIDATION_POLL_INITIAL,
        timeout: float = DEFAULT_VALIDATION_TIMEOUT,
        config_file: str | Path | None = None,
    ) -> None:
        super().__init__()
        settings = settings or resolve_settings()
        self._application_secret = settings.application_secret
        # The application key that the kept secret belongs to.
        self._secret_key = settings.application_key

        self.endpoint = EndpointPicker(settings.endpoint, settings.sandbox_url)
        self.application_key = text_field(settings.application_key, "application key (16 characters)",
                                          "ovhub-application-key")
        secret_hint = "application secret"
        if self._application_secret:
            secret_hint = f"set in {settings.secret_source or 'the kernel'}; type here to replace it"
        self.application_secret = text_field("", secret_hint, "ovhub-application-secret", secret=True)
        self.rules = AccessRulesEditor(rules)
        self.allowed_ips = text_field(allowed_ips, "optional: IP networks allowed to use the key, such as 192.0.2.0/24",
                                      "ovhub-allowed-ips")
        self.redirection = text_field(redirection, "optional: URL the validation page sends the browser to",
                                      "ovhub-redirection")
        self.request = widgets.Button(description="Request", button_style="primary",
                                      tooltip="request a consumer key with these access rules")
        self.request.add_class("ovhub-request")
        self.request.on_click(lambda _button: self._on_request())
        self.confirmation = KeyConfirmation(self, poll_interval=poll_interval, timeout=timeout, config_file=config_file)

        self.box.children = (
            widgets.HTML("<b>Get an OVHcloud API consumer key</b>"),
            self.endpoint.widget,
            labelled("Application key", self.application_key),
            labelled("Application secret", self.application_secret),
            self.rules.widget,
            labelled("Allowed IPs", self.allowed_ips),
            labelled("Redirection", self.redirection),
            self.request,
            self.status.widget,
            self.confirmation.widget,
        )
        self.status.show("Check the application keys and the access rules, then press Request.")

    def _on_request(self) -> None:
        try:
            endpoint = self.endpoint.value
            application_key = self.application_key.value.strip()
            secret = self._take_secret()
            rules = self.rules.rules()
            client = OvhClient(endpoint, application_key, secret)
            try:
                answer = client.request_consumer_key(rules, redirection=self.redirection.value.strip() or None,
                                                     allowed_ips=split_ips(self.allowed_ips.value))
            finally:
                client.http.close()
        except errors.OvhubError as exc:
            self.status.error(exc)
            return
        self.confirmation.wait(endpoint, application_key, secret, answer)

    def _take_secret(self) -> str:
        """Move a typed application secret into the kernel; return the secret to use, or raise."""
        application_key = self.application_key.value.strip()
        typed = take_value(self.application_secret)
        if typed:
            self._application_secret, self._secret_key = typed, application_key
        if not application_key:
            raise errors.InvalidInputError("the application key is empty",
                                           hint="type the key of the application, or create one with %ovh_create_app")
        if not self._application_secret or self._secret_key != application_key:
            raise errors.InvalidInputError(f"the application secret of {application_key} is missing",
                                           hint="type the application's secret")
        self.application_secret.placeholder = "kept in the kernel; type here to replace it"
        return self._application_secret

    def close(self) -> None:
        """Stop the wait and close the widgets."""
        self.confirmation.cancel()
        super().close()
