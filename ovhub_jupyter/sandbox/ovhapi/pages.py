"""HTML of the sandbox's OVHcloud pages: consumer key validation and application creation.

Scripts and widgets fill these forms over HTTP, so the markup is a contract:

- Validation page (``GET /auth/?credentialToken=...``, posted to ``/auth/``): fields
  ``credentialToken`` (hidden), ``login`` (account id or email), ``password``, ``totp``
  (only when two-factor login is on), ``duration`` (seconds, ``0`` = unlimited), and
  submit buttons named ``action`` with the values ``authorize`` and ``refuse``.
- createApp page (``/createApp/``): fields ``nic``, ``password``, ``applicationName``,
  ``applicationDescription``. The result shows each value in a ``<td>`` right after its
  ``<th>`` label, "Application Key" and "Application Secret", with the ids
  ``application-key`` and ``application-secret``.
- Any error is the text of the one element with class ``ovhub-error``.
"""

from __future__ import annotations

from html import escape
from typing import Any

# Validity choices of the validation page, in seconds; 0 means the key never expires.
DURATION_CHOICES = [
    (3600, "1 hour"),
    (86400, "1 day"),
    (2592000, "30 days"),
    (0, "Unlimited"),
]

# Class of the element that shows an error on either page.
ERROR_CLASS = "ovhub-error"

_STYLE = (
    "body{font-family:sans-serif;max-width:40em;margin:2em auto;color:#000e9c}"
    "label{display:block;margin-top:.8em}input,select{font-size:1em;padding:.3em;width:100%}"
    "button{margin-top:1em;margin-right:.5em;padding:.5em 1.5em}"
    f".{ERROR_CLASS}{{color:#b00020;font-weight:bold}}"
    "table{border-collapse:collapse}th,td{text-align:left;padding:.3em .8em .3em 0}code{font-size:1.1em}"
)


def page(title: str, content: str) -> str:
    """Wrap ``content`` in a complete HTML document."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{content}</body></html>"
    )


def error_block(error: str | None) -> str:
    """Return the error element, or nothing when there is no error."""
    if not error:
        return ""
    return f"<p class='{ERROR_CLASS}' role='alert'>{escape(error)}</p>"


def message_page(title: str, message: str, *, error: bool = False) -> str:
    """Return a page with one sentence, shown as an error when ``error`` is set."""
    body = error_block(message) if error else f"<p>{escape(message)}</p>"
    return page(title, body)


def validation_form(
    *,
    credential_token: str,
    application_name: str,
    application_description: str,
    rules: list[dict[str, str]],
    two_factor: bool,
    error: str | None = None,
    login: str = "",
    duration: int = 0,
) -> str:
    """Return the page where the account holder authorizes or refuses a consumer key."""
    rule_rows = "".join(
        f"<tr><td><code>{escape(rule.get('method', ''))}</code></td><td><code>{escape(rule.get('path', ''))}</code></td></tr>"
        for rule in rules
    )
    options = "".join(
        f"<option value='{seconds}'{' selected' if seconds == duration else ''}>{escape(label)}</option>"
        for seconds, label in DURATION_CHOICES
    )
    totp_field = (
        "<label for='totp'>Two-factor code (6 digits from your authenticator app)</label>"
        "<input id='totp' name='totp' inputmode='numeric' autocomplete='one-time-code' pattern='[0-9]{6}'>"
        if two_factor
        else ""
    )
    content = (
        f"{error_block(error)}"
        f"<p>The application <strong>{escape(application_name)}</strong> "
        f"({escape(application_description)}) requests access to your account:</p>"
        f"<table><tr><th>Method</th><th>Path</th></tr>{rule_rows}</table>"
        "<form method='post' action='/auth/'>"
        f"<input type='hidden' name='credentialToken' value='{escape(credential_token)}'>"
        "<label for='login'>Account ID or email</label>"
        f"<input id='login' name='login' value='{escape(login)}' autocomplete='username'>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' autocomplete='current-password'>"
        f"{totp_field}"
        f"<label for='duration'>Validity</label><select id='duration' name='duration'>{options}</select>"
        "<button type='submit' name='action' value='authorize'>Authorize</button>"
        "<button type='submit' name='action' value='refuse'>Refuse</button>"
        "</form>"
    )
    return page("Authorize an application", content)


def create_app_form(*, error: str | None = None, values: dict[str, str] | None = None) -> str:
    """Return the createApp form, filled with ``values`` after an error."""
    values = values or {}
    content = (
        f"{error_block(error)}"
        "<p>Create an application to get an application key and secret.</p>"
        "<form method='post' action='/createApp/'>"
        "<label for='nic'>Account ID or email</label>"
        f"<input id='nic' name='nic' value='{escape(values.get('nic', ''))}' autocomplete='username'>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' autocomplete='current-password'>"
        "<label for='applicationName'>Application name</label>"
        f"<input id='applicationName' name='applicationName' value='{escape(values.get('applicationName', ''))}'>"
        "<label for='applicationDescription'>Application description</label>"
        f"<input id='applicationDescription' name='applicationDescription' value='{escape(values.get('applicationDescription', ''))}'>"
        "<button type='submit'>Create keys</button>"
        "</form>"
    )
    return page("Create an application", content)


def create_app_result(application: Any) -> str:
    """Return the page that shows a new application's key and secret, once."""
    content = (
        "<p>Your application has been created. Keep the secret now: it is not shown again.</p>"
        "<table>"
        f"<tr><th>Application Name</th><td id='application-name'>{escape(application.name)}</td></tr>"
        f"<tr><th>Application Description</th><td id='application-description'>{escape(application.description)}</td></tr>"
        f"<tr><th>Application Key</th><td id='application-key'>{escape(application.application_key)}</td></tr>"
        f"<tr><th>Application Secret</th><td id='application-secret'>{escape(application.application_secret)}</td></tr>"
        "</table>"
    )
    return page("Application created", content)
