"""The ``%ovh_create_app`` panel: create an OVHcloud API application and a validated consumer key.

The steps are those of ExOvh's ``mix ovh`` task and of ``ovhub ovh-app``, run from a
panel: post the createApp form with the account id and password
(``ovh_keys.create_application``), request a consumer key with the chosen access rules,
then either fill the validation page with the same password (``validate_consumer_key``,
with a two-factor code when the page requests one) or hand the ``validationUrl`` over to
the user and wait for it. The confirmation, registration and saving are the ones of
``%ovh_login`` (``KeyConfirmation``).

The password is read from its field and the field cleared at the click, and it lives
only in the worker thread's variables until that run ends. When the page requests a
two-factor code, the worker waits for the Continue button, so the password need not be
typed again. After a failed validation the new application and its pending consumer key
are kept, so pressing "Create application" again resumes at the validation.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..core import errors
from ..core.errors import secret_prefix
from ..core.ovh import VALIDATION_POLL_INITIAL, OvhClient
from ..core.ovh_keys import ApplicationKeys, create_app_url, create_application, validate_consumer_key
from ..magics.base import one_line
from .ovh_login import DEFAULT_VALIDATION_TIMEOUT, KeyConfirmation, resolve_settings
from .panel import AccessRulesEditor, EndpointPicker, Panel, labelled, link_html, take_value, text_field

logger = logging.getLogger(__name__)

# Validity choices of the consumer key, in seconds (0: unlimited). They are the ones the
# sandbox's validation page offers; the core rejects one the real page does not offer.
DURATION_CHOICES = (("Unlimited", 0), ("1 hour", 3600), ("1 day", 86400), ("30 days", 2592000))

# Choices of how the consumer key gets validated.
VALIDATE_HERE = "here"
VALIDATE_IN_BROWSER = "browser"

# Seconds the panel waits for a two-factor code after asking for it.
TOTP_WAIT = 300.0


class TotpNotGiven(errors.InvalidInputError):
    """No two-factor code was given while the panel waited for one."""


@dataclass(frozen=True)
class _Request:
    """The fields as one press of "Create application" read them."""

    endpoint: str
    name: str
    description: str
    nic: str
    rules: tuple[tuple[str, str], ...]
    duration: int
    mode: str


class OvhCreateAppPanel(Panel):
    """Create an application, get a consumer key for it, validate it, register and save the keys."""

    css_class = "ovhub-ovh-create-app"

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        name: str = "",
        description: str = "",
        nic: str = "",
        rules: Any = "full",
        duration: int = 0,
        validate_here: bool = True,
        poll_interval: float = VALIDATION_POLL_INITIAL,
        timeout: float = DEFAULT_VALIDATION_TIMEOUT,
        config_file: str | Path | None = None,
    ) -> None:
        super().__init__()
        settings = resolve_settings(endpoint)
        self._lock = threading.Lock()
        self._busy = False
        self._keys: ApplicationKeys | None = None
        self._keys_for: tuple[str, str] | None = None
        self._answer: dict[str, Any] | None = None
        self._answer_for: tuple[Any, ...] | None = None
        self._totp_event = threading.Event()
        self._totp_code = ""

        self.endpoint = EndpointPicker(settings.endpoint, settings.sandbox_url)
        self.manual_link = widgets.HTML("")
        self.manual_link.add_class("ovhub-create-app-link")
        self.application_name = text_field(name, "unique among the account's applications", "ovhub-application-name")
        self.application_description = text_field(description, "what the application is for",
                                                  "ovhub-application-description")
        self.nic = text_field(nic, "account id (NIC handle) or email", "ovhub-nic")
        self.password = text_field("", "the account's password; used once, never stored", "ovhub-password", secret=True)
        self.rules = AccessRulesEditor(rules)
        options = list(DURATION_CHOICES)
        if duration not in [seconds for _, seconds in options]:
            options.append((f"{duration} s", duration))
        self.duration = widgets.Dropdown(options=options, value=duration)
        self.duration.add_class("ovhub-duration")
        self.validation_mode = widgets.RadioButtons(
            options=[("Validate here with the account's password", VALIDATE_HERE),
                     ("Open the validation page myself", VALIDATE_IN_BROWSER)],
            value=VALIDATE_HERE if validate_here else VALIDATE_IN_BROWSER,
            layout=widgets.Layout(width="auto"),
        )
        self.validation_mode.add_class("ovhub-validation-mode")
        self.totp = text_field("", "6-digit code from the authenticator application", "ovhub-totp")
        self.continue_button = widgets.Button(description="Continue", tooltip="send the two-factor code")
        self.continue_button.add_class("ovhub-continue")
        self.continue_button.on_click(lambda _button: self._on_continue())
        self.totp_row = labelled("Two-factor code", widgets.HBox([self.totp, self.continue_button]))
        self.totp_row.layout.display = "none"
        self.create = widgets.Button(description="Create application", button_style="primary",
                                     tooltip="create the application and a consumer key")
        self.create.add_class("ovhub-create")
        self.create.on_click(lambda _button: self._on_create())
        self.confirmation = KeyConfirmation(self, poll_interval=poll_interval, timeout=timeout, config_file=config_file,
                                            on_finished=lambda _state: self._forget_answer())

        self.box.children = (
            widgets.HTML("<b>Create an OVHcloud API application</b>"),
            self.endpoint.widget,
            self.manual_link,
            labelled("Application name", self.application_name),
            labelled("Description", self.application_description),
            labelled("Account id or email", self.nic),
            labelled("Password", self.password),
            self.rules.widget,
            labelled("Validity", self.duration),
            self.validation_mode,
            self.totp_row,
            self.create,
            self.status.widget,
            self.confirmation.widget,
        )
        self.endpoint.observe(self._show_manual_link)
        self._show_manual_link()
        self.status.show("Fill in the fields, then press Create application.")

    def _show_manual_link(self) -> None:
        try:
            url = create_app_url(self.endpoint.value)
        except errors.OvhubError:
            self.manual_link.value = "Choose an endpoint to see its createApp page."
            return
        self.manual_link.value = "To do it by hand, create the application at " + link_html(url)

    # -- the user's actions ----------------------------------------------------------------

    def _on_create(self) -> None:
        password = take_value(self.password)
        typed_code = take_value(self.totp)
        with self._lock:
            if self._busy:
                self.status.show("Still working on the previous request; wait for it to end.")
                return
            self._busy = True
        try:
            request = self._read_request()
            if not password and (self._needs_application(request) or request.mode == VALIDATE_HERE):
                raise errors.InvalidInputError("the password is empty", hint="type the account's password")
        except errors.OvhubError as exc:
            self._busy = False
            self.status.error(exc)
            return
        self.run_in_background(lambda: self._run(request, password, typed_code), "ovh-create-app")

    def _read_request(self) -> _Request:
        name = self.application_name.value.strip()
        description = self.application_description.value.strip()
        nic = self.nic.value.strip()
        for label, value in (("application name", name), ("description", description), ("account id or email", nic)):
            if not value:
                raise errors.InvalidInputError(f"the {label} is empty", hint=f"type the {label}")
        rules = tuple((rule["method"], rule["path"]) for rule in self.rules.rules())
        return _Request(self.endpoint.value, name, description, nic, rules, int(self.duration.value),
                        self.validation_mode.value)

    def _on_continue(self) -> None:
        code = take_value(self.totp).strip()
        if not code:
            self.status.error("Type the two-factor code first.")
            return
        self._totp_code = code
        self._totp_event.set()

    # -- the steps, in a worker thread -------------------------------------------------------

    def _needs_application(self, request: _Request) -> bool:
        return self._keys is None or self._keys_for != (request.endpoint, request.name)

    def _run(self, request: _Request, password: str, typed_code: str) -> None:
        try:
            keys = self._application(request, password)
            if keys is None:
                return
            answer = self._consumer_key(request, keys)
            if request.mode == VALIDATE_IN_BROWSER:
                self.confirmation.wait(request.endpoint, keys.application_key, keys.application_secret, answer)
                return
            self._validate(request, keys, answer, password, typed_code)
        finally:
            self._busy = False

    def _application(self, request: _Request, password: str) -> ApplicationKeys | None:
        """Return the application's keys, creating the application unless this panel already did."""
        if not self._needs_application(request):
            assert self._keys is not None
            return self._keys
        self.status.show(f"Creating the application {request.name!r}...")
        try:
            keys = create_application(request.endpoint, request.nic, password, request.name, request.description,
                                      url=create_app_url(request.endpoint))
        except errors.ConflictError:
            self.status.error(f"An application named {request.name!r} already exists on this account: "
                              "choose another name.")
            return None
        self._keys, self._keys_for = keys, (request.endpoint, request.name)
        self._answer = None
        logger.info("created the OVHcloud API application %r, key %s", request.name, secret_prefix(keys.application_key))
        return keys

    def _consumer_key(self, request: _Request, keys: ApplicationKeys) -> dict[str, Any]:
        """Return a pending consumer key request for these rules, asking for a new one when needed."""
        expected = (request.endpoint, keys.application_key, request.rules)
        if self._answer is not None and self._answer_for == expected:
            return self._answer
        self.status.show("Requesting a consumer key...")
        client = OvhClient(request.endpoint, keys.application_key, keys.application_secret)
        try:
            answer = client.request_consumer_key([{"method": m, "path": p} for m, p in request.rules])
        finally:
            client.http.close()
        self._answer, self._answer_for = answer, expected
        return answer

    def _validate(self, request: _Request, keys: ApplicationKeys, answer: dict[str, Any], password: str,
                  typed_code: str) -> None:
        self.status.show("Validating the consumer key...")
        self.confirmation.show_link(request.endpoint, keys.application_key, keys.application_secret, answer)
        try:
            state = validate_consumer_key(answer["validationUrl"], request.nic, password, request.duration,
                                          totp_code=typed_code or self._ask_totp)
        except errors.OvhubError as exc:
            self.status.error(
                one_line(exc) + " The new application and its consumer key are kept: type the password "
                "(and a new code when asked), then press Create application to validate again."
            )
            return
        self.totp_row.layout.display = "none"
        self.confirmation.finish(state)

    def _ask_totp(self) -> str:
        """Show the two-factor field and wait for Continue; the validation calls it when the page requests a code."""
        self._totp_event.clear()
        self._totp_code = ""
        self.totp_row.layout.display = None
        self.status.show("The validation page asks for a two-factor code: type it and press Continue.")
        if not self._totp_event.wait(TOTP_WAIT) or self._closed:
            raise TotpNotGiven("no two-factor code was given in time",
                               hint="press Create application again and give the code when asked")
        code, self._totp_code = self._totp_code, ""
        self.status.show("Validating the consumer key...")
        return code

    def _forget_answer(self) -> None:
        """Drop the consumer key request once it ended, so the next press requests a new one."""
        self._answer = None
        self._answer_for = None

    def close(self) -> None:
        """Stop the waits and close the widgets."""
        self._closed = True
        self._totp_event.set()
        self.confirmation.cancel()
        super().close()
