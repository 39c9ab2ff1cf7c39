"""HTML pages of the hubiC emulation: the consent form, authorize errors, 509 and dead links.

The consent form keeps the markup that form-filling scripts relied on: a hidden input
``<input type="hidden" name="oauth" value="...">``, one checkbox per perimeter and right
named after the perimeter with the right letter as value, the ``login`` and ``user_pwd``
inputs, and ``action`` buttons. A failed login shows its message in an element of class
``text-error``.
"""

from __future__ import annotations

import logging
from html import escape

from werkzeug.wrappers import Response

from .scopes import ALWAYS_GRANTED, PERIMETERS, RIGHT_NAMES, Scope

logger = logging.getLogger(__name__)

HTML_CONTENT_TYPE = "text/html; charset=utf-8"

# The message a failed login shows, word for word as hubiC showed it.
LOGIN_FAILED = "Authentication failed, please check your credentials"


def consent_page(
    *,
    action_url: str,
    oauth_id: str,
    application: str,
    requested: Scope,
    login: str = "",
    message: str | None = None,
) -> Response:
    """Return the consent form for one pending authorization (status 200, as hubiC sent it)."""
    error = f'<p class="text-error">{escape(message)}</p>' if message else ""
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>hubiC - authorize {escape(application)}</title></head>
<body>
<h1>Authorize {escape(application)}</h1>
{error}<form method="post" action="{escape(action_url)}">
<input type="hidden" name="oauth" value="{escape(oauth_id)}">
<p>The application {escape(application)} requests access to:</p>
<ul>
{_scope_checkboxes(requested)}</ul>
<p><label>Email <input type="text" name="login" value="{escape(login)}"></label></p>
<p><label>Password <input type="password" name="user_pwd" value=""></label></p>
<p><button type="submit" name="action" value="accepted">Accept</button>
<button type="submit" name="action" value="refused">Refuse</button></p>
</form>
</body></html>
"""
    return Response(page, status=200, content_type=HTML_CONTENT_TYPE)


def _scope_checkboxes(requested: Scope) -> str:
    lines = []
    for perimeter, (offered, description) in PERIMETERS.items():
        rights = requested.get(perimeter, set()) | ALWAYS_GRANTED.get(perimeter, set())
        for right in offered:
            if right not in rights:
                continue
            # account.r is granted whatever the form contains, so its box is disabled.
            fixed = " disabled" if right in ALWAYS_GRANTED.get(perimeter, set()) else ""
            lines.append(
                f'<li><label><input type="checkbox" name="{perimeter}" value="{right}" checked{fixed}> '
                f"{RIGHT_NAMES[right]} {escape(description)} ({perimeter}.{right})</label></li>\n"
            )
    return "".join(lines)


def authorize_error_page(status: int, error: str, description: str) -> Response:
    """Return an authorize error shown to the user instead of redirecting to an untrusted URI."""
    logger.debug("hubic: authorize error page %s: %s", error, description)
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>hubiC - authorization error</title></head>
<body>
<h1>Authorization error</h1>
<p class="text-error"><span class="error">{escape(error)}</span>: <span class="error_description">{escape(description)}</span></p>
</body></html>
"""
    return Response(page, status=status, content_type=HTML_CONTENT_TYPE)


def bandwidth_limit_page() -> Response:
    """Return the plain page that the hubiC host sent when called too fast."""
    page = (
        "<html><head><title>509 Bandwidth Limit Exceeded</title></head>"
        "<body><h1>Bandwidth Limit Exceeded</h1></body></html>\n"
    )
    return Response(page, status="509 Bandwidth Limit Exceeded", content_type=HTML_CONTENT_TYPE)


def link_not_found_page() -> Response:
    """Return the 404 page of a published link that does not exist, has expired or lost its object."""
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>hubiC - link not found</title></head>"
        "<body><h1>This link does not exist or has expired</h1></body></html>\n"
    )
    return Response(page, status=404, content_type=HTML_CONTENT_TYPE)
