"""Getting OVHcloud API keys: access rules, the createApp form, the consumer key validation page.

Three steps give a working set of keys (python-ovh's ``ovh.conf`` layout):

1. ``create_application`` posts the createApp form of an endpoint with the account id and
   password, and reads the application key (16 characters) and secret (32) from the page;
2. ``OvhClient.request_consumer_key`` asks for a consumer key with access rules;
3. ``validate_consumer_key`` fills the validation page as a browser would: log in, give a
   TOTP code when two-factor login is on, pick a validity, accept.

The web pages are meant for people, so they are read loosely: fields are recognized by
their type and name, values after their labels whatever the markup. The password is sent
to the page and nowhere else: never stored, logged or put in an exception, and no page
text goes into a message, because an answer page may contain the new secret.
"""

from __future__ import annotations

import html.parser
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

from . import errors
from .errors import secret_prefix
from .http import NO_RETRY, HttpClient
from .ovh import api_root, resolve_endpoint

logger = logging.getLogger(__name__)

# Methods an access rule may grant.
RULE_METHODS = ("GET", "POST", "PUT", "DELETE")

# Object storage only: project and container listings, Swift credentials (the storage
# access token, OpenStack users and their S3 keys), container changes, legacy webstorage.
# NOTE: each rule is written once per path depth, so the set works whether the API's "*"
# spans one path segment or several (the documentation does not say).
OBJECT_STORAGE_RULES = (
    ("GET", "/me"),
    ("GET", "/cloud/project"),
    ("GET", "/cloud/project/*"),
    ("GET", "/cloud/project/*/region"),
    ("GET", "/cloud/project/*/storage"),
    ("GET", "/cloud/project/*/storage/*"),
    ("POST", "/cloud/project/*/storage"),
    ("POST", "/cloud/project/*/storage/access"),
    ("PUT", "/cloud/project/*/storage/*"),
    ("DELETE", "/cloud/project/*/storage/*"),
    ("GET", "/cloud/project/*/user"),
    ("GET", "/cloud/project/*/user/*"),
    ("GET", "/cloud/project/*/user/*/openrc"),
    ("POST", "/cloud/project/*/user"),
    ("POST", "/cloud/project/*/user/*/regeneratePassword"),
    ("POST", "/cloud/project/*/user/*/s3Credentials"),
    ("GET", "/cloud/project/*/user/*/s3Credentials"),
    ("GET", "/cdn/webstorage"),
    ("GET", "/cdn/webstorage/*"),
    ("GET", "/cdn/webstorage/*/credentials"),
)

# Named sets of access rules accepted wherever rules are.
ACCESS_RULE_PRESETS: dict[str, tuple[tuple[str, str], ...]] = {
    "read-only": (("GET", "/*"),),
    "full": tuple((method, "/*") for method in RULE_METHODS),
    "object-storage": OBJECT_STORAGE_RULES,
}

# Length and alphabet of the keys the createApp page shows.
APPLICATION_KEY_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{16})(?![A-Za-z0-9])")
APPLICATION_SECRET_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{32})(?![A-Za-z0-9])")

# Words of the pages' error messages, matched case-insensitively on the visible text.
NAME_TAKEN_PATTERN = re.compile(r"already (exists|taken|used|in use)|name .*(taken|used)|exists already", re.I)
WRONG_LOGIN_PATTERN = re.compile(
    r"(invalid|wrong|incorrect|bad|unknown)\s+(account|login|password|credentials?|identifier|nic|user)"
    r"|(password|login|account|credentials?).{0,40}(invalid|incorrect|wrong|not valid)"
    r"|authentication failed|failed to log ?in",
    re.I,
)
WRONG_CODE_PATTERN = re.compile(r"(invalid|wrong|incorrect|bad|expired)\s+(totp|two.factor|2fa|otp|verification|security)?\s*code|code .{0,30}(invalid|incorrect|wrong)", re.I)
SUCCESS_PATTERN = re.compile(r"\b(success|successfully|validated|authori[sz]ed|granted|you can close)\b", re.I)
REFUSED_PATTERN = re.compile(r"\b(refused|rejected|denied|cancel+ed)\b", re.I)


class TotpRequiredError(errors.SignInRequiredError):
    """The validation page asks for a two-factor (TOTP) code and none was given."""


# -- access rules ---------------------------------------------------------------------------


def parse_access_rules(rules: str | Iterable[Mapping[str, str]] | Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Return access rules as the API takes them: ``[{"method": "GET", "path": "/*"}, ...]``.

    Accept a preset name (``read-only``, ``full``, ``object-storage``), a text such as
    ``'GET:/*,POST:/cloud/*'`` (presets may appear in it too), or a list of dicts or pairs.
    """
    if isinstance(rules, str):
        items: list[Any] = []
        for part in rules.split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() in ACCESS_RULE_PRESETS:
                items.extend(ACCESS_RULE_PRESETS[part.lower()])
                continue
            method, separator, path = part.partition(":")
            if not separator:
                raise errors.InvalidInputError(
                    f"invalid access rule {part!r}",
                    hint="write METHOD:PATH such as GET:/*, or a preset: " + ", ".join(ACCESS_RULE_PRESETS),
                )
            items.append((method.strip(), path.strip()))
    else:
        items = list(rules)

    parsed = [_access_rule(item) for item in items]
    if not parsed:
        raise errors.InvalidInputError("no access rules given", hint="give at least one, such as GET:/*")
    return _unique(parsed)


def _access_rule(item: Any) -> dict[str, str]:
    if isinstance(item, Mapping):
        method, path = item.get("method"), item.get("path")
    else:
        method, path = item
    method = str(method or "").upper()
    if method not in RULE_METHODS:
        raise errors.InvalidInputError(
            f"invalid access rule method {method!r}", hint="use one of " + ", ".join(RULE_METHODS)
        )
    if not isinstance(path, str) or not path.startswith("/"):
        raise errors.InvalidInputError(f"invalid access rule path {path!r}", hint="a path starts with '/', such as /*")
    return {"method": method, "path": path}


def _unique(rules: list[dict[str, str]]) -> list[dict[str, str]]:
    seen = set()
    unique = []
    for rule in rules:
        key = (rule["method"], rule["path"])
        if key not in seen:
            seen.add(key)
            unique.append(rule)
    return unique


def format_access_rules(rules: Iterable[Mapping[str, str]]) -> str:
    """Return rules in the ``METHOD:PATH,...`` text form that ``parse_access_rules`` reads."""
    return ",".join(f"{rule['method']}:{rule['path']}" for rule in rules)


# -- reading web pages ---------------------------------------------------------------------


@dataclass
class FormField:
    """One input, select or button of a form."""

    tag: str
    name: str
    type: str
    value: str
    # For a select: the values of its options.
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A form as a browser sees it: where it posts and what it contains."""

    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)

    def find(self, predicate: Callable[[FormField], bool]) -> FormField | None:
        return next((f for f in self.fields if predicate(f)), None)


class _PageReader(html.parser.HTMLParser):
    """Collect a page's forms and its visible text tokens; input values count as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.tokens: list[str] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("script", "style"):
            self._skip_depth += 1
        elif tag == "form":
            self._form = Form(action=attributes.get("action", ""), method=(attributes.get("method") or "GET").upper())
            self.forms.append(self._form)
        elif tag in ("input", "button", "textarea"):
            self._add_field(tag, attributes)
        elif tag == "select":
            self._select = FormField("select", attributes.get("name", ""), "select", "")
            if self._form is not None:
                self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select.options.append(value)
            if "selected" in attributes or not self._select.value:
                self._select.value = value

    def _add_field(self, tag: str, attributes: dict[str, str]) -> None:
        default_type = "submit" if tag == "button" else "text"
        field_type = (attributes.get("type") or default_type).lower()
        value = attributes.get("value", "")
        if value and field_type not in ("password", "hidden"):
            self.tokens.append(value)
        if self._form is not None:
            self._form.fields.append(FormField(tag, attributes.get("name", ""), field_type, value))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and data.strip():
            self.tokens.append(data.strip())


def read_page(text: str) -> _PageReader:
    """Parse an HTML page into its forms and visible text tokens."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    return reader


def value_after_label(tokens: list[str], label: str, pattern: re.Pattern[str]) -> str | None:
    """Return the first match of ``pattern`` that follows ``label`` in the page's text tokens."""
    text = "\n".join(tokens)
    position = text.lower().find(label.lower())
    if position < 0:
        return None
    match = pattern.search(text, position + len(label))
    return match.group(1) if match else None


# -- createApp ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ApplicationKeys:
    """An application's key and secret, as the createApp page shows them."""

    application_key: str
    application_secret: str

    def __repr__(self) -> str:
        return (
            f"ApplicationKeys(application_key={self.application_key!r}, "
            f"application_secret={secret_prefix(self.application_secret)!r})"
        )


def create_app_url(endpoint: str) -> str:
    """Return the createApp page of an endpoint name or base URL (``<host>/createApp/``)."""
    _, base_url = resolve_endpoint(endpoint)
    parts = urlsplit(base_url)
    if parts.path.rstrip("/") in ("", "/1.0", "/v1"):
        return f"{parts.scheme}://{parts.netloc}/createApp/"
    # A proxy with a prefix: the page is beside the API.
    return api_root(base_url) + "/createApp/"


def create_application(
    endpoint: str,
    nic: str,
    password: str,
    name: str,
    description: str,
    *,
    url: str | None = None,
    http: HttpClient | None = None,
) -> ApplicationKeys:
    """Create an API application with the createApp form; return its key and secret.

    ``nic`` is the account id or email. ``url`` replaces the createApp page address when
    the endpoint's is not ``<host>/createApp/``.
    """
    _require_text("account id or email (nic)", nic)
    _require_text("password", password, show=False)
    _require_text("application name", name)
    _require_text("application description", description)
    page_url = url or create_app_url(endpoint)
    client = http or HttpClient("ovh", retry=NO_RETRY)

    response = client.request(
        "POST",
        page_url,
        data={"nic": nic, "password": password, "applicationName": name, "applicationDescription": description},
        headers={"Accept": "text/html,application/xhtml+xml"},
    )
    page = read_page(response.text or "")
    key = value_after_label(page.tokens, "Application Key", APPLICATION_KEY_PATTERN)
    secret = value_after_label(page.tokens, "Application Secret", APPLICATION_SECRET_PATTERN)
    if response.status_code < 400 and key and secret:
        logger.info("created OVHcloud API application %r, key %s", name, secret_prefix(key))
        return ApplicationKeys(key, secret)

    raise _create_app_error(response, page, name, page_url)


def _create_app_error(response: requests.Response, page: _PageReader, name: str, page_url: str) -> errors.OvhubError:
    visible = "\n".join(page.tokens)
    common = {"operation": "createApp", "status": response.status_code, "service": "ovh",
              "request_id": response.headers.get("X-Ovh-Queryid")}
    if NAME_TAKEN_PATTERN.search(visible):
        return errors.ConflictError(
            f"an application named {name!r} already exists", hint="choose another --appname", **common
        )
    if WRONG_LOGIN_PATTERN.search(visible) or response.status_code in (401, 403):
        return errors.AuthenticationError(
            "the account id or password was rejected", hint="check the NIC handle (or email) and the password", **common
        )
    if response.status_code >= 500:
        return errors.ServerError("the createApp page failed", hint="try again later", **common)
    return errors.InvalidResponseError(
        f"the page returned by {page_url} has no application key and secret that this client recognizes",
        hint="create the application in a browser at that address and copy the keys",
        **common,
    )


# -- consumer key validation page -----------------------------------------------------------

# Names (lower case, partial) that identify what a form field is for.
LOGIN_FIELD_WORDS = ("login", "nic", "user", "email", "account", "identifier")
TOTP_FIELD_WORDS = ("totp", "otp", "2fa", "twofactor", "two_factor", "code", "token2")
DURATION_FIELD_WORDS = ("duration", "expiration", "validity", "expires")
REFUSE_WORDS = ("refuse", "reject", "deny", "cancel", "decline")


def _is_password(f: FormField) -> bool:
    return f.type == "password" and not _is_totp(f)


def _is_totp(f: FormField) -> bool:
    name = f.name.lower().replace("-", "")
    if f.type in ("hidden", "submit", "button", "select") or "token" == name or "credentialtoken" in name:
        return False
    return any(word in name for word in TOTP_FIELD_WORDS)


def _is_login(f: FormField) -> bool:
    name = f.name.lower()
    return f.type in ("text", "email") and any(word in name for word in LOGIN_FIELD_WORDS) and not _is_totp(f)


def _is_duration(f: FormField) -> bool:
    return f.type not in ("hidden", "submit", "button") and any(word in f.name.lower() for word in DURATION_FIELD_WORDS)


def validate_consumer_key(
    validation_url: str,
    nic: str,
    password: str,
    duration: int = 0,
    totp_code: str | Callable[[], str] | None = None,
    *,
    accept: bool = True,
    redirection: str | None = None,
    http: HttpClient | None = None,
    max_steps: int = 5,
) -> str:
    """Fill the consumer key validation page as a browser would; return "validated" or "refused".

    ``duration`` is the validity in seconds (0 for unlimited) and must be one the page
    offers. ``totp_code`` is a code, or a function called only when the page asks for
    one. With ``accept=False`` the key is refused. The browser would then be redirected
    to ``redirection``; that redirect is recognized, not followed.
    """
    _require_text("account id or email (nic)", nic)
    _require_text("password", password, show=False)
    client = http or HttpClient("ovh", retry=NO_RETRY)
    flow = _ValidationFlow(client, validation_url, nic, password, duration, totp_code, accept, redirection)
    try:
        return flow.run(max_steps)
    finally:
        if http is None:
            client.close()


class _ValidationFlow:
    """The validation page's steps: log in, give a TOTP code when asked, pick a validity, accept."""

    def __init__(
        self,
        http: HttpClient,
        validation_url: str,
        nic: str,
        password: str,
        duration: int,
        totp_code: str | Callable[[], str] | None,
        accept: bool,
        redirection: str | None,
    ) -> None:
        self.http = http
        self.validation_url = validation_url
        self.nic = nic
        self._password = password
        self.duration = duration
        self._totp_code = totp_code
        self.accept = accept
        self.redirection = redirection
        self.totp_sent = False
        self.login_sent = False

    def run(self, max_steps: int) -> str:
        response, url = self._get(self.validation_url)
        for _ in range(max_steps):
            outcome = self._outcome(response, url)
            if outcome is not None:
                return outcome
            page = read_page(response.text or "")
            form = self._choose_form(page, response)
            self._check_page_errors(page, form, response)
            data, submit_url = self._fill(form, url)
            response = self.http.request("POST", submit_url, data=data, headers={"Accept": "text/html"})
            response, url = self._follow_redirects(response, submit_url)
        raise self._error(errors.InvalidResponseError, "the validation page kept asking for more steps", response,
                          hint="validate the consumer key in a browser at the validation URL")

    def _get(self, url: str) -> tuple[requests.Response, str]:
        response = self.http.request("GET", url, headers={"Accept": "text/html"})
        return self._follow_redirects(response, url)

    def _follow_redirects(self, response: requests.Response, url: str) -> tuple[requests.Response, str]:
        """Follow redirects that stay on the validation page's host, never to ``redirection``.

        A redirect to another host (the application's ``redirection``) is where a browser
        goes when the flow ends; it is recognized by ``_outcome`` and not requested.
        """
        for _ in range(5):
            if not response.is_redirect:
                break
            target = self._location(response, url)
            if self._is_redirection(target) or not _same_host(target, self.validation_url):
                break
            response = self.http.request("GET", target, headers={"Accept": "text/html"})
            url = target
        return response, url

    def _location(self, response: requests.Response, url: str) -> str:
        return urljoin(url, response.headers.get("Location", ""))

    def _is_redirection(self, url: str) -> bool:
        return bool(self.redirection) and url.startswith(self.redirection or "")

    # -- reading the response --

    def _outcome(self, response: requests.Response, url: str) -> str | None:
        """Return "validated" or "refused" when this response ends the flow, else None."""
        decided = "validated" if self.accept else "refused"
        if response.is_redirect:
            if self._is_redirection(self._location(response, url)) or self.login_sent:
                return decided
            raise self._error(errors.InvalidResponseError, "the validation page redirected to another site before login",
                              response, hint="validate the consumer key in a browser at the validation URL")
        if response.status_code >= 400 or not self.login_sent:
            return None
        page = read_page(response.text or "")
        if any(form.find(lambda f: f.type != "hidden") for form in page.forms):
            # A form still asks for something: a code, a validity, a choice.
            return None
        visible = "\n".join(page.tokens)
        if not self.accept and REFUSED_PATTERN.search(visible):
            return "refused"
        if self.accept and SUCCESS_PATTERN.search(visible):
            return "validated"
        return None

    def _choose_form(self, page: _PageReader, response: requests.Response) -> Form:
        for form in page.forms:
            if form.find(_is_password) or form.find(_is_totp) or form.find(lambda f: f.type == "submit"):
                return form
        raise self._error(
            errors.InvalidResponseError,
            "the validation page has no form this client recognizes",
            response,
            hint="the validation URL may have expired; request a new consumer key",
        )

    def _check_page_errors(self, page: _PageReader, form: Form, response: requests.Response) -> None:
        """Raise when the page shows an error about what was sent in the previous step."""
        visible = "\n".join(page.tokens)
        asks_code = form.find(_is_totp) is not None
        failed = response.status_code >= 400
        if self.login_sent and WRONG_LOGIN_PATTERN.search(visible):
            raise self._wrong_login(response)
        if self.totp_sent and asks_code and (WRONG_CODE_PATTERN.search(visible) or failed):
            raise self._error(errors.AuthenticationError, "the two-factor code was rejected", response,
                              hint="enter the current code from the authenticator application")
        if asks_code and not self.totp_sent:
            # Two-factor login shown as a next step: the code is asked for when filling.
            return
        if self.login_sent and form.find(_is_password) and failed:
            raise self._wrong_login(response)
        if failed and not form.find(_is_password):
            raise self._error(errors.error_class_for_status(response.status_code), "the validation page returned an error",
                              response, hint="the validation URL may have expired; request a new consumer key")

    def _wrong_login(self, response: requests.Response) -> errors.OvhubError:
        return self._error(errors.AuthenticationError, "the account id or password was rejected", response,
                           hint="check the NIC handle (or email) and the password")

    # -- filling the form --

    def _fill(self, form: Form, page_url: str) -> tuple[list[tuple[str, str]], str]:
        data: list[tuple[str, str]] = []
        submit = self._choose_submit(form)
        for f in form.fields:
            if not f.name or f.type in ("submit", "button", "image", "reset"):
                continue
            if f.type in ("checkbox", "radio"):
                if self._checked(form, f):
                    data.append((f.name, f.value or "on"))
                continue
            data.append((f.name, self._value_for(f)))
        if submit is not None and submit.name:
            data.append((submit.name, submit.value))
        return data, urljoin(page_url, form.action or page_url)

    def _value_for(self, f: FormField) -> str:
        if _is_totp(f):
            return self._totp()
        if _is_password(f):
            self.login_sent = True
            return self._password
        if _is_login(f):
            self.login_sent = True
            return self.nic
        if _is_duration(f):
            return self._duration_value(f)
        return f.value

    def _checked(self, form: Form, f: FormField) -> bool:
        # NOTE: checkboxes are left unticked except one that names the validity, for which
        # the radio button with the requested duration is chosen.
        if _is_duration(f):
            return f.value == str(self.duration)
        return False

    def _duration_value(self, f: FormField) -> str:
        wanted = str(int(self.duration))
        if f.options and wanted not in f.options:
            raise errors.InvalidInputError(
                f"the validation page does not offer a validity of {wanted} s",
                hint="choose one of: " + ", ".join(o for o in f.options if o) + " (seconds, 0 for unlimited)",
            )
        return wanted

    def _totp(self) -> str:
        code = self._totp_code() if callable(self._totp_code) else self._totp_code
        if not code:
            raise TotpRequiredError(
                "the validation page asks for a two-factor code",
                service="ovh",
                hint="give the current code from the authenticator application",
            )
        self.totp_sent = True
        # A code typed once is not offered again if the page asks a second time.
        self._totp_code = None
        return str(code).strip()

    def _choose_submit(self, form: Form) -> FormField | None:
        buttons = [f for f in form.fields if f.type in ("submit", "image")]
        if not buttons:
            return None
        refusing = [b for b in buttons if any(w in (b.name + " " + b.value).lower() for w in REFUSE_WORDS)]
        accepting = [b for b in buttons if b not in refusing]
        if self.accept:
            return accepting[0] if accepting else buttons[0]
        if not refusing:
            raise errors.InvalidInputError(
                "the validation page has no button to refuse the consumer key",
                hint="leave the key unvalidated: it expires on its own",
            )
        return refusing[0]

    def _error(self, cls: type[errors.OvhubError], message: str, response: requests.Response, hint: str) -> errors.OvhubError:
        return cls(
            message,
            operation="consumer key validation",
            status=response.status_code,
            service="ovh",
            request_id=response.headers.get("X-Ovh-Queryid"),
            hint=hint,
        )


def _same_host(url: str, validation_url: str) -> bool:
    """True when ``url`` is on the validation page's scheme, host and port."""
    target, page = urlsplit(url), urlsplit(validation_url)
    return (target.scheme, target.netloc) == (page.scheme, page.netloc)


def credential_token_of(validation_url: str) -> str | None:
    """Return the ``credentialToken`` of a validation URL, or None."""
    for name, value in parse_qsl(urlsplit(validation_url).query):
        if name == "credentialToken":
            return value
    return None


def _require_text(label: str, value: Any, show: bool = True) -> None:
    if not isinstance(value, str) or not value.strip():
        shown = f" {value!r}" if show else ""
        raise errors.InvalidInputError(f"missing or invalid {label}{shown}", hint=f"give the {label}")
