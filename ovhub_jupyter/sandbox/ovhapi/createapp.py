"""The createApp page: an account holder creates an application key and secret.

Like the real page, it requests the account (nic or email) and password but never a
two-factor code, and rejects a name the account already uses.
"""

from __future__ import annotations

import logging

from werkzeug.wrappers import Request, Response

from ..state import SandboxState
from . import pages
from .credentials import WRONG_LOGIN_MESSAGE, check_login, html_response
from .store import CredentialStore

logger = logging.getLogger(__name__)

# Form fields of the page, all required.
FIELDS = ("nic", "password", "applicationName", "applicationDescription")


class CreateAppPage:
    def __init__(self, state: SandboxState, store: CredentialStore) -> None:
        self.state = state
        self.store = store

    def handle(self, request: Request) -> Response:
        """Serve ``/createApp/``: the form on GET, the new keys (or the form with an error) on POST."""
        if request.method == "GET":
            return html_response(pages.create_app_form())
        if request.method != "POST":
            return html_response(pages.message_page("Create an application", "Use GET or POST on this page.", error=True), 405)

        values = {name: request.form.get(name, "").strip() for name in FIELDS}
        values["password"] = request.form.get("password", "")
        missing = [name for name in FIELDS if not values[name]]
        if missing:
            return self._form_error(f"Fill in every field; missing: {', '.join(missing)}.", values, 400)

        nic = check_login(self.state, values["nic"], values["password"])
        if nic is None:
            return self._form_error(WRONG_LOGIN_MESSAGE, values, 401)

        name = values["applicationName"]
        if any(app.name == name for app in self.store.applications_of(nic)):
            return self._form_error(f"An application named {name!r} already exists on this account. Choose another name.", values, 409)

        application = self.store.create_application(nic, name, values["applicationDescription"])
        logger.info("application %d (%r) created", application.application_id, name)
        return html_response(pages.create_app_result(application))

    @staticmethod
    def _form_error(message: str, values: dict[str, str], status: int) -> Response:
        without_password = {name: value for name, value in values.items() if name != "password"}
        return html_response(pages.create_app_form(error=message, values=without_password), status)
