"""The sign-in magics: ``%hubic_login``, ``%ovh_login`` and ``%ovh_create_app``.

Each one parses its options and returns a panel from ``widgets/``, which the notebook
displays. ``%hubic_login`` also signs in without a panel, from a refresh token given as
an option or found in the environment or ovhub.conf, for scripts, CI and notebook tests.
"""

from __future__ import annotations

import argparse
import logging

from IPython.core.magic import line_magic, magics_class
from traitlets import Float

from ..core import hubic
from ..core.ovh import VALIDATION_POLL_INITIAL
from .base import MagicArgumentParser, MagicUsageError, OvhubMagicsBase, magic_command, split_arguments

logger = logging.getLogger(__name__)

SECRETS_WARNING = """\
Secrets typed on the magic's line (--client-secret, --refresh-token, --application-secret)
are saved in the notebook with the cell. Prefer the environment or the configuration files,
which the panel and --from-config read."""

HUBIC_EPILOG = f"""\
examples:
  %hubic_login                   show the sign-in panel (settings from ovhub.conf,
                                 HUBIC_* variables, or the sandbox after %ovhub sandbox)
  %hubic_login --from-config     sign in with HUBIC_CLIENT_ID, HUBIC_CLIENT_SECRET and
                                 HUBIC_REFRESH_TOKEN, or the [hubic] section of ovhub.conf
  %hubic_login --name work --from-config --save
                                 sign in as the [work] account and write it back

{SECRETS_WARNING}
"""

OVH_LOGIN_EPILOG = f"""\
examples:
  %ovh_login                     show the panel (keys from ovh.conf or the sandbox)
  %ovh_login --rules read-only   ask for GET /* only

access rules: METHOD:PATH,... such as GET:/me,GET:/cloud/*, or a preset:
read-only, full, object-storage.

{SECRETS_WARNING}
"""

CREATE_APP_EPILOG = """\
examples:
  %ovh_create_app --name my-notebook --description "Notebook access"
  %ovh_create_app --endpoint ovh-ca --rules object-storage --duration 86400

The password is typed in the panel only: it is used for the createApp page and the
validation page, then cleared, and never stored.
"""


def build_hubic_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%hubic_login",
        description="Sign in to hubiC: show the sign-in panel, or sign in with a refresh token.",
        epilog=HUBIC_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--name", default=hubic.DEFAULT_ACCOUNT_NAME,
                        help="account name to register (and its ovhub.conf section); default %(default)s")
    parser.add_argument("--client-id", help="client id of the hubiC application")
    parser.add_argument("--client-secret", help="client secret of the application (saved in the notebook: see below)")
    parser.add_argument("--redirect-uri", help=f"redirect URI registered for the application; default {hubic.DEFAULT_REDIRECT_URI}")
    parser.add_argument("--scope", help=f"comma-separated perimeter.rights; default {hubic.DEFAULT_SCOPE}")
    parser.add_argument("--auth-url", help="authorize endpoint (default: hubiC's, or the sandbox's)")
    parser.add_argument("--token-url", help="token endpoint (default: hubiC's, or the sandbox's)")
    parser.add_argument("--api-url", help="REST API base URL (default: hubiC's, or the sandbox's)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--refresh-token", help="sign in with this refresh token, without a panel (saved in the notebook)")
    source.add_argument("--from-config", action="store_true",
                        help="sign in without a panel with HUBIC_* variables or the account's ovhub.conf section")
    parser.add_argument("--save", action="store_true",
                        help="with --refresh-token or --from-config: write the account to ovhub.conf (mode 0600)")
    return parser


def build_ovh_login_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%ovh_login",
        description="Get a consumer key for an existing OVHcloud API application, in a panel.",
        epilog=OVH_LOGIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--endpoint", help="endpoint name (ovh-eu, ovh-ca, ...) or API base URL")
    parser.add_argument("--application-key", help="the application key")
    parser.add_argument("--application-secret", help="the application secret (saved in the notebook: see below)")
    parser.add_argument("--rules", default="full", help="access rules, or a preset; default full")
    parser.add_argument("--redirection", default="", help="URL the validation page sends the browser to")
    parser.add_argument("--allowed-ips", default="", help="comma-separated IP networks allowed to use the key")
    parser.add_argument("--config-file", help="ovh.conf file that Save writes; default ~/.ovh.conf")
    return parser


def build_create_app_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(
        prog="%ovh_create_app",
        description="Create an OVHcloud API application and a validated consumer key, in a panel.",
        epilog=CREATE_APP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--endpoint", help="endpoint name (ovh-eu, ovh-ca, ...) or API base URL")
    parser.add_argument("--name", default="", help="name of the new application (unique in the account)")
    parser.add_argument("--description", default="", help="description of the new application")
    parser.add_argument("--nic", default="", help="account id (NIC handle) or email")
    parser.add_argument("--rules", default="full", help="access rules as METHOD:PATH,... or a preset; default full")
    parser.add_argument("--duration", type=int, default=0,
                        help="validity of the consumer key in seconds; 0 (default) is unlimited")
    parser.add_argument("--hand-over", action="store_true",
                        help="preselect opening the validation page yourself instead of validating in the panel")
    parser.add_argument("--config-file", help="ovh.conf file that Save writes; default ~/.ovh.conf")
    return parser


@magics_class
class LoginMagics(OvhubMagicsBase):
    """The ``%hubic_login``, ``%ovh_login`` and ``%ovh_create_app`` magics."""

    callback_timeout = Float(
        600.0, help="Seconds %hubic_login listens on the redirect URI for the browser's redirect."
    ).tag(config=True)
    validation_timeout = Float(
        600.0, help="Seconds %ovh_login and %ovh_create_app wait for a consumer key to be validated."
    ).tag(config=True)
    validation_poll_interval = Float(
        VALIDATION_POLL_INITIAL,
        help="Seconds between the first two checks of a pending consumer key; later waits grow.",
    ).tag(config=True)

    @line_magic
    @magic_command
    def hubic_login(self, line: str = ""):
        """Sign in to hubiC: a panel, or --refresh-token / --from-config without one. See --help."""
        arguments = build_hubic_parser().parse_args(split_arguments(line))
        options = {
            "client_id": arguments.client_id,
            "client_secret": arguments.client_secret,
            "redirect_uri": arguments.redirect_uri,
            "scope": arguments.scope,
            "auth_url": arguments.auth_url,
            "token_url": arguments.token_url,
            "api_url": arguments.api_url,
        }
        if arguments.refresh_token or arguments.from_config:
            self._hubic_without_panel(arguments, options)
            return None
        if arguments.save:
            raise MagicUsageError(
                "%hubic_login: --save needs --refresh-token or --from-config",
                hint="in the panel, press Save to config after signing in",
            )

        from ..widgets.hubic_login import HubicLoginPanel, resolve_settings

        settings, secret_source = resolve_settings(arguments.name, options)
        return HubicLoginPanel(settings, name=arguments.name, secret_source=secret_source,
                               callback_timeout=self.callback_timeout)

    def _hubic_without_panel(self, arguments: argparse.Namespace, options: dict[str, str | None]) -> None:
        from ..widgets.hubic_login import resolve_settings, sign_in_with_refresh_token

        if arguments.from_config:
            # The files and the environment only, as the option's name states, and not the sandbox.
            account = hubic.load_account(arguments.name, **options)
        else:
            settings, _ = resolve_settings(arguments.name, options)
            settings["refresh_token"] = arguments.refresh_token
            account = hubic.build_account(arguments.name, settings, source="session")
        email = sign_in_with_refresh_token(account, save=arguments.save)
        print(f"Signed in to hubiC as {email}")

    @line_magic
    @magic_command
    def ovh_login(self, line: str = ""):
        """Show the panel that gets an OVHcloud API consumer key. See --help."""
        arguments = build_ovh_login_parser().parse_args(split_arguments(line))
        from ..widgets.ovh_login import OvhLoginPanel, resolve_settings

        settings = resolve_settings(arguments.endpoint, arguments.application_key, arguments.application_secret)
        return OvhLoginPanel(
            settings,
            rules=arguments.rules,
            redirection=arguments.redirection,
            allowed_ips=arguments.allowed_ips,
            poll_interval=self.validation_poll_interval,
            timeout=self.validation_timeout,
            config_file=arguments.config_file,
        )

    @line_magic
    @magic_command
    def ovh_create_app(self, line: str = ""):
        """Show the panel that creates an OVHcloud API application and its consumer key. See --help."""
        arguments = build_create_app_parser().parse_args(split_arguments(line))
        if arguments.duration < 0:
            raise MagicUsageError(f"%ovh_create_app: invalid --duration {arguments.duration}",
                                  hint="give seconds, or 0 for unlimited")
        from ..widgets.ovh_create_app import OvhCreateAppPanel

        return OvhCreateAppPanel(
            endpoint=arguments.endpoint,
            name=arguments.name,
            description=arguments.description,
            nic=arguments.nic,
            rules=arguments.rules,
            duration=arguments.duration,
            validate_here=not arguments.hand_over,
            poll_interval=self.validation_poll_interval,
            timeout=self.validation_timeout,
            config_file=arguments.config_file,
        )
