"""The ``%hubic_login`` panel: sign in to hubiC in a browser tab and keep the refresh token.

The panel runs the OAuth2 authorization-code flow of ``core/hubic.py``:

1. The kernel computes the authorize URL (client id, redirect URI, scope and a random
   state, but no secret) and syncs it to the "Sign in" button. That ``OpenButton`` opens
   it in a new tab from the click itself, so popup blockers let the tab through.
2. The code comes back to a ``CallbackServer`` on the loopback redirect URI, or through
   the paste field (the redirected URL, or the bare code) for remote kernels.
3. The code is exchanged, ``/account`` and ``/account/usage`` are shown, and the account
   is registered in ``REGISTRY``. "Save to config" writes it to ovhub.conf.

The callback server starts as soon as the panel is ready to sign in, before the click.
Starting it on the click message instead would race with the browser: a busy kernel
handles the message only after the running cell ends, and by then the redirect may have
come and gone. Starting early also reports a taken port before a tab is opened. After an
attempt ends, the next server starts on the next click, when the old one has let go of
the port.

The client secret stays in the kernel. A secret from the configuration never enters a
widget, and a typed one is moved out of its field when the code is exchanged. The code
and the tokens never enter a trait.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import threading
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from ..core import configfile, errors, hubic
from ..core.accounts import REGISTRY, Account
from ..core.errors import secret_prefix
from ..core.http import RetryPolicy
from ..core.oauth_callback import AuthorizationResult, CallbackPortInUseError, CallbackServer
from ..magics.base import one_line
from .panel import OpenButton, Panel, labelled, sandbox_account, take_value, text_field
from .progress import format_bytes

logger = logging.getLogger(__name__)

# Seconds the callback server waits for the browser's redirect before it lets go of the port.
DEFAULT_CALLBACK_TIMEOUT = 600.0

# Names of the rights letters on the scope checkboxes.
RIGHT_LABELS = {"r": "read", "w": "write", "d": "delete"}

# Settings of a hubiC application that the panel shows or uses, as ovhub.conf names them.
SETTING_KEYS = ("client_id", "client_secret", "redirect_uri", "scope", "auth_url", "token_url", "api_url")

# The panel that listens on each loopback port in this process, so a newer panel on the
# same port (the cell run again) can take it over instead of failing with "port in use".
_listeners: dict[int, HubicLoginPanel] = {}
_listeners_lock = threading.Lock()


# -- where the settings come from ---------------------------------------------------------------


def resolve_settings(name: str, options: Mapping[str, str | None]) -> tuple[dict[str, str], str | None]:
    """Return the hubiC settings for account ``name``, and where the client secret came from.

    Each setting comes from the first source that has it, in this order: ``options``
    (the magic's), the registered account ``name`` or else the sandbox's hubiC account,
    the ``HUBIC_*`` environment variables (account ``hubic`` only), and ovhub.conf. The
    registry reflects this session, so ``%ovhub sandbox`` wins over the files. A client
    secret is kept only with the client id of the same source.
    """
    layers: list[tuple[str, Mapping[str, str]]] = [("ovhub.conf", configfile.ovhub_accounts().get(name, {}))]
    if name == hubic.DEFAULT_ACCOUNT_NAME:
        layers.append(("the environment", hubic.settings_from_environment()))
    registered = _registered_app(name)
    if registered is not None:
        layers.append(registered)
    layers.append(("the options", {key: value for key, value in options.items() if value}))

    settings: dict[str, str] = {}
    secret_source = None
    for source, values in layers:
        if values.get("client_id") and values["client_id"] != settings.get("client_id"):
            # A secret belongs to its client id: another application's secret must not follow.
            settings.pop("client_secret", None)
            secret_source = None
        for key in SETTING_KEYS:
            if values.get(key):
                settings[key] = values[key]
                if key == "client_secret":
                    secret_source = source
    return settings, secret_source


def _registered_app(name: str) -> tuple[str, dict[str, str]] | None:
    """Return the settings of the registered hubiC account ``name``, else of the sandbox's one."""
    account = None
    if name in REGISTRY.names():
        candidate = REGISTRY.get(name)
        account = candidate if candidate.kind == "hubic" else None
    account = account or sandbox_account("hubic")
    client = getattr(account, "client", None)
    app = getattr(client, "app", None)
    if not isinstance(app, hubic.HubicApp):
        return None
    source = "the sandbox" if account.source == "sandbox" else f"the account {account.name!r}"
    return source, {key: getattr(app, key) for key in SETTING_KEYS}


# -- non-interactive sign-in ---------------------------------------------------------------------


def sign_in_with_refresh_token(account: Account, *, save: bool = False) -> str:
    """Check a hubiC account's refresh token with ``/account``, register the account, save it when asked.

    Return the account's email. Nothing is registered or saved when the check fails.
    """
    client: hubic.HubicClient = account.client
    if not client.refresh_token:
        raise errors.ConfigError(
            f"no refresh token is configured for the hubiC account {account.name!r}",
            hint="set HUBIC_REFRESH_TOKEN or refresh_token in its ovhub.conf section, or sign in with the panel",
        )
    details = client.account()
    email = str(details.get("email") or "an unknown email") if isinstance(details, dict) else "an unknown email"
    REGISTRY.register(account, make_default=REGISTRY.default is None)
    if save:
        hubic.save_refresh_token(client.app, client.refresh_token, account.name)
    logger.info("hubiC account %r signed in with refresh token %s", account.name, secret_prefix(client.refresh_token))
    return email


# -- the scope ------------------------------------------------------------------------------------


class ScopeChooser:
    """One checkbox per perimeter and right of hubiC's full scope; ``account.r`` is always granted."""

    def __init__(self, scope: str | None = None) -> None:
        chosen = hubic.parse_scope_items(scope or hubic.DEFAULT_SCOPE)
        self.checkboxes: dict[tuple[str, str], widgets.Checkbox] = {}
        rows = []
        for perimeter, rights in hubic.FULL_SCOPE.items():
            boxes = []
            for letter in sorted(rights, key="rwd".index):
                always = perimeter == "account" and letter == "r"
                box = widgets.Checkbox(
                    value=always or letter in chosen.get(perimeter, ""),
                    description=RIGHT_LABELS[letter],
                    disabled=always,
                    indent=False,
                    layout=widgets.Layout(width="6em"),
                    tooltip=f"{perimeter}.{letter}" + (" (always granted)" if always else ""),
                )
                box.add_class(f"ovhub-scope-{perimeter}-{letter}")
                self.checkboxes[(perimeter, letter)] = box
                boxes.append(box)
            rows.append(widgets.HBox([widgets.Label(perimeter, layout=widgets.Layout(width="8em")), *boxes]))
        self.widget = widgets.VBox([widgets.HTML("<b>Scope</b>"), *rows])
        self.widget.add_class("ovhub-scope")

    def scope(self) -> str:
        """Return the scope string of the checked boxes."""
        perimeters: dict[str, str] = {}
        for (perimeter, letter), box in self.checkboxes.items():
            if box.value:
                perimeters[perimeter] = perimeters.get(perimeter, "") + letter
        return hubic.format_scope(perimeters)

    def observe(self, callback: Any) -> None:
        for box in self.checkboxes.values():
            box.observe(lambda _change: callback(), names="value")


# -- the panel ------------------------------------------------------------------------------------


@dataclasses.dataclass(repr=False)
class _Attempt:
    """One sign-in: its state, the application it was started with, the URL of its consent page."""

    # The application without its secret, which is added only for the exchange.
    app: hubic.HubicApp
    state: str
    url: str
    finished: bool = False


class HubicLoginPanel(Panel):
    """Sign in to hubiC from a notebook; see the module docstring for the flow."""

    css_class = "ovhub-hubic-login"

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        *,
        name: str = hubic.DEFAULT_ACCOUNT_NAME,
        secret_source: str | None = None,
        callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        settings = dict(settings or {})
        self.name = name
        self.callback_timeout = callback_timeout
        self.retry = retry
        self.client: hubic.HubicClient | None = None
        self.account_details: dict[str, Any] | None = None
        self.usage: dict[str, Any] | None = None
        self._lock = threading.RLock()
        self._client_secret = settings.get("client_secret") or ""
        self._attempt: _Attempt | None = None
        self._server: CallbackServer | None = None
        self._server_timer: threading.Timer | None = None

        self._build_widgets(settings, secret_source)
        self._prepare(start_server=True)

    # -- layout ------------------------------------------------------------------------

    def _build_widgets(self, settings: Mapping[str, str], secret_source: str | None) -> None:
        secret_hint = "client secret of the hubiC application"
        if self._client_secret:
            secret_hint = f"set in {secret_source or 'the kernel'}; type here to replace it"
        self.client_id = text_field(settings.get("client_id", ""), "client id of the hubiC application", "ovhub-client-id")
        self.client_secret = text_field("", secret_hint, "ovhub-client-secret", secret=True)
        self.redirect_uri = text_field(
            settings.get("redirect_uri") or hubic.DEFAULT_REDIRECT_URI,
            "redirect URI registered for the application",
            "ovhub-redirect-uri",
        )
        # Bound to a port: a keystroke must not restart the callback server.
        self.redirect_uri.continuous_update = False
        self.scope = ScopeChooser(settings.get("scope"))
        self.auth_url = text_field(settings.get("auth_url") or hubic.DEFAULT_AUTH_URL, "", "ovhub-auth-url")
        self.token_url = text_field(settings.get("token_url") or hubic.DEFAULT_TOKEN_URL, "", "ovhub-token-url")
        self.api_url = text_field(settings.get("api_url") or hubic.DEFAULT_API_URL, "", "ovhub-api-url")
        for field in (self.auth_url, self.token_url, self.api_url):
            field.continuous_update = False
        servers = widgets.Accordion(
            [widgets.VBox([labelled("Authorize URL", self.auth_url), labelled("Token URL", self.token_url),
                           labelled("API URL", self.api_url)])],
            titles=("hubiC server URLs",),
        )
        servers.add_class("ovhub-server-urls")

        self.sign_in = OpenButton(description="Sign in", tooltip="open the hubiC consent page in a new tab")
        self.sign_in.add_class("ovhub-sign-in")
        self.sign_in.on_click(self._on_sign_in_click)

        self.paste = text_field("", "or paste the URL the browser was sent to after the consent page (or its code)",
                                "ovhub-paste")
        self.paste.continuous_update = False
        self.finish = widgets.Button(description="Finish sign-in", tooltip="use the pasted URL or code")
        self.finish.add_class("ovhub-finish")
        self.finish.on_click(lambda _button: self._on_paste())

        self.account_view = widgets.HTML("")
        self.account_view.add_class("ovhub-account")
        self.save = widgets.Button(description="Save to config", disabled=True,
                                   tooltip="write the account and its refresh token to ovhub.conf (mode 0600)")
        self.save.add_class("ovhub-save")
        self.save.on_click(lambda _button: self._on_save())

        self.box.children = (
            widgets.HTML("<b>Sign in to hubiC</b>"),
            labelled("Client id", self.client_id),
            labelled("Client secret", self.client_secret),
            labelled("Redirect URI", self.redirect_uri),
            self.scope.widget,
            servers,
            self.sign_in,
            widgets.HBox([self.paste, self.finish]),
            self.status.widget,
            self.account_view,
            self.save,
        )

        for field in (self.client_id, self.redirect_uri, self.auth_url, self.token_url, self.api_url):
            field.observe(lambda _change: self._prepare(start_server=True), names="value")
        self.client_secret.observe(self._on_secret_typed, names="value")
        self.scope.observe(lambda: self._prepare(start_server=True))

    # -- preparing the sign-in -----------------------------------------------------------

    def _on_secret_typed(self, change: dict[str, Any]) -> None:
        if bool(change["new"]) != bool(change["old"]):
            self._prepare(start_server=True)

    def _current_app(self) -> hubic.HubicApp:
        """Return the application the fields describe, without its secret; raise what is missing."""
        if not self.client_id.value.strip():
            raise errors.InvalidInputError("the client id is empty", hint="type the client id of the hubiC application")
        if not (self.client_secret.value or self._client_secret):
            raise errors.InvalidInputError("the client secret is empty", hint="type the client secret of the application")
        return hubic.HubicApp(
            client_id=self.client_id.value.strip(),
            client_secret="",
            redirect_uri=self.redirect_uri.value.strip(),
            scope=self.scope.scope(),
            auth_url=self.auth_url.value.strip(),
            token_url=self.token_url.value.strip(),
            api_url=self.api_url.value.strip(),
        )

    def _prepare(self, *, start_server: bool, quiet: bool = False) -> None:
        """Sync the authorize URL to the button and, when asked, listen on the redirect URI.

        A new attempt (a new state) starts only when there is none or the last one ended.
        Otherwise the current attempt takes the new settings and keeps its state. ``quiet``
        leaves the status line alone, because it shows how the last attempt ended.
        """
        if self._closed:
            return
        try:
            app = self._current_app()
        except errors.OvhubError as exc:
            self.sign_in.url = ""
            self._stop_server()
            self.status.show(one_line(exc))
            return

        redirect_changed = False
        with self._lock:
            attempt = self._attempt
            if attempt is None or attempt.finished:
                request = hubic.start_authorization(app)
                attempt = self._attempt = _Attempt(app=app, state=request.state, url=request.url)
            else:
                redirect_changed = app.redirect_uri != attempt.app.redirect_uri
                attempt.app = app
                attempt.url = app.authorize_url(attempt.state)
            self.sign_in.url = attempt.url
        if redirect_changed:
            self._stop_server()
        if not quiet:
            self.status.show("Ready: press Sign in, accept in the new tab, and come back here.")
        if start_server:
            self._start_server()

    def _start_server(self) -> bool:
        """Listen for the redirect of the current attempt; return False, with the reason shown, when it cannot."""
        with self._lock:
            attempt = self._attempt
            if self._closed or attempt is None or attempt.finished:
                return False
            if self._server is not None:
                return True
            try:
                server = CallbackServer(
                    attempt.app.redirect_uri,
                    expected_state=attempt.state,
                    on_result=lambda outcome, attempt=attempt: self._on_redirect(attempt, outcome),
                )
            except errors.InvalidInputError as exc:
                # A redirect URI that is not on this machine: only the paste field can finish.
                self.status.show(f"{exc.message}. After the consent page, paste the URL the browser was sent to below.")
                return False
            _take_over_port(server.port, self)
            try:
                server.start()
            except CallbackPortInUseError as exc:
                self.status.error(f"{exc.message}. Free the port, or paste the URL the browser is sent to below.")
                return False
            self._server = server
            with _listeners_lock:
                _listeners[server.port] = self
            self._server_timer = threading.Timer(self.callback_timeout, self._on_server_timeout, args=(server,))
            self._server_timer.daemon = True
            self._server_timer.start()
            return True

    def _stop_server(self, server: CallbackServer | None = None) -> None:
        """Stop the callback server (only ``server`` when given, if it is still the current one)."""
        current = self._forget_server(server)
        if current is not None:
            current.stop()

    def _forget_server(self, server: CallbackServer | None = None) -> CallbackServer | None:
        """Drop the current callback server (``server`` only, when given) and its timer; return it."""
        with self._lock:
            current = self._server
            if current is None or (server is not None and server is not current):
                return None
            self._server = None
            timer, self._server_timer = self._server_timer, None
        if timer is not None:
            timer.cancel()
        with _listeners_lock:
            if _listeners.get(current.port) is self:
                del _listeners[current.port]
        return current

    def _on_server_timeout(self, server: CallbackServer) -> None:
        if server is not self._server:
            return
        self._stop_server(server)
        self.status.show(
            f"Stopped waiting for the redirect after {self.callback_timeout:g} s: press Sign in to wait again, "
            "or paste the URL the browser was sent to."
        )

    def _released_port(self, port: int) -> None:
        """Let a newer panel listen on ``port``: stop this panel's server and show that in the status line."""
        server = self._server
        if server is None or server.port != port:
            return
        self._stop_server(server)
        self.status.show(f"A newer sign-in panel now listens on port {port}; use that one.")

    # -- the user's actions ----------------------------------------------------------------

    def _on_sign_in_click(self, opened_url: str) -> None:
        with self._lock:
            attempt = self._attempt
            if attempt is None or attempt.finished or opened_url != attempt.url:
                self.status.error(
                    "The settings changed while the consent page was opening, so that tab uses old settings: "
                    "press Sign in again."
                )
                return
        if self._start_server():
            self.status.show(
                f"Waiting for the redirect to {attempt.app.redirect_uri} after you accept in the new tab; "
                "or paste the URL the browser was sent to below."
            )

    def _on_paste(self) -> None:
        text = take_value(self.paste)
        attempt = self._attempt
        if attempt is None or attempt.finished:
            self.status.error("There is no sign-in in progress: press Sign in first.")
            return
        try:
            result = hubic.parse_redirect(text, attempt.state)
        except errors.OvhubError as exc:
            self.status.error(exc)
            return
        self._stop_server()
        self._complete(attempt, result)

    def _on_redirect(self, attempt: _Attempt, outcome: AuthorizationResult | Exception) -> None:
        """Receive the callback server's result, in one of its threads; the server stops itself."""
        server = self._server
        if server is not None and server.expected_state == attempt.state:
            self._forget_server(server)
        if isinstance(outcome, Exception):
            with self._lock:
                attempt.finished = True
            self.status.error(outcome)
            self._prepare(start_server=False, quiet=True)
            return
        self.run_in_background(lambda: self._complete(attempt, outcome), "hubic-sign-in")

    def _on_save(self) -> None:
        client = self.client
        if client is None or not client.refresh_token:
            self.status.error("Sign in first: there is no refresh token to save.")
            return
        try:
            path = hubic.save_refresh_token(client.app, client.refresh_token, self.name)
        except errors.OvhubError as exc:
            self.status.error(exc)
            return
        self.status.show(f"Saved the hubiC account {self.name!r} to {path} (mode 0600).", "success")

    # -- finishing -----------------------------------------------------------------------

    def _complete(self, attempt: _Attempt, result: AuthorizationResult) -> None:
        """Exchange the code, show the account, register it; the attempt ends either way."""
        with self._lock:
            if attempt.finished:
                return
            attempt.finished = True
        app = dataclasses.replace(attempt.app, client_secret=self._consume_secret())
        client = hubic.HubicClient(app, retry=self.retry)
        self.status.show("Exchanging the code for tokens...")
        try:
            client.exchange_code(result)
            details = client.account()
            usage = self._read_usage(client)
        except errors.OvhubError as exc:
            client.close()
            self.status.error(exc)
            self._prepare(start_server=False, quiet=True)
            return

        self.client, self.account_details, self.usage = client, details, usage
        account = Account(name=self.name, kind="hubic", endpoint=app.api_url, provider=client.swift_provider(),
                          client=client, source="session")
        REGISTRY.register(account, make_default=REGISTRY.default is None)
        self.account_view.value = account_html(details, usage)
        self.save.disabled = False
        email = details.get("email") if isinstance(details, dict) else None
        message = f"Signed in to hubiC as {email or 'an unknown email'}; registered as the account {self.name!r}."
        if result.scope is not None and "r" not in hubic.parse_scope_items(result.scope).get("credentials", ""):
            message += " The sign-in did not grant credentials.r, so its Swift storage is not reachable."
        self.status.show(message, "success")
        self._prepare(start_server=False, quiet=True)

    def _consume_secret(self) -> str:
        """Move a typed client secret out of its field into the kernel; return the secret to use."""
        typed = take_value(self.client_secret)
        if typed:
            self._client_secret = typed
        self.client_secret.placeholder = "kept in the kernel; type here to replace it"
        return self._client_secret

    def _read_usage(self, client: hubic.HubicClient) -> dict[str, Any] | None:
        try:
            return client.usage()
        except errors.ForbiddenError as exc:
            logger.info("hubiC usage not shown: %s", exc)
            return None
        except errors.BadRequestError as exc:
            # insufficient_scope: usage.r was not granted.
            logger.info("hubiC usage not shown: %s", exc)
            return None

    def close(self) -> None:
        """Stop the callback server and close the widgets."""
        self._closed = True
        self._stop_server()
        super().close()


def _take_over_port(port: int, panel: HubicLoginPanel) -> None:
    """Stop another panel of this process that listens on ``port``."""
    with _listeners_lock:
        other = _listeners.get(port)
    if other is not None and other is not panel:
        other._released_port(port)


def account_html(details: Any, usage: Any) -> str:
    """Return the signed-in account as HTML: email, name, and the quota when known."""
    details = details if isinstance(details, dict) else {}
    name = " ".join(str(details.get(key) or "") for key in ("firstname", "lastname")).strip()
    parts = [f"<b>{html.escape(str(details.get('email') or 'unknown email'))}</b>"]
    if name:
        parts.append(f" ({html.escape(name)})")
    if isinstance(usage, dict) and isinstance(usage.get("quota"), (int, float)) and isinstance(usage.get("used"), (int, float)):
        parts.append(f" · {format_bytes(usage['used'])} used of {format_bytes(usage['quota'])}")
    return "".join(parts)
