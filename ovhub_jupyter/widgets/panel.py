"""Parts shared by the sign-in panels: the open-in-a-new-tab button, the status line, the base panel.

Also the two editors that ``%ovh_login`` and ``%ovh_create_app`` both show, the endpoint
picker and the access rules editor, and ``sandbox_account``, which finds the account
that ``%ovhub sandbox`` registered so a panel can point at the sandbox.

Secrets never go into a widget trait except where the user types them, and a panel
clears such a field as soon as it has read the value (``take_value``). Traits are synced
to the browser and can be saved with the notebook's widget state.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..core import errors
from ..core.account_sources import SANDBOX_SOURCE
from ..core.accounts import REGISTRY, Account
from ..core.ovh import ENDPOINTS, resolve_endpoint
from ..core.ovh_keys import ACCESS_RULE_PRESETS, RULE_METHODS, parse_access_rules
from ..magics.base import one_line

logger = logging.getLogger(__name__)

# Folder of the front-end modules, packaged with the Python code.
JS_DIR = Path(__file__).resolve().parent.parent / "js"

# Width of the labels in front of the text fields, so the fields line up.
LABEL_WIDTH = "11em"


class OpenButton(anywidget.AnyWidget):
    """A button that opens ``url`` in a new browser tab from the click itself.

    The front end (``js/open_button.js``) calls ``window.open`` inside the click
    handler, which popup blockers allow, then sends ``{"event": "click", "url": URL}``.
    ``on_click`` callbacks get that URL.
    """

    _esm = JS_DIR / "open_button.js"

    url = traitlets.Unicode("", help="The http(s) URL to open; empty disables the button.").tag(sync=True)
    description = traitlets.Unicode("Open", help="The button's text.").tag(sync=True)
    tooltip = traitlets.Unicode("", help="The button's title attribute.").tag(sync=True)
    disabled = traitlets.Bool(False, help="Disable the button whatever the URL.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._click_callbacks: list[Callable[[str], Any]] = []
        self.on_msg(self._handle_message)

    @traitlets.validate("url")
    def _validate_url(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        if value and not value.lower().startswith(("http://", "https://")):
            raise traitlets.TraitError(f"only http:// and https:// URLs can be opened, not {value[:40]!r}")
        return value

    def on_click(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(url)`` after each click, with the URL the browser opened."""
        self._click_callbacks.append(callback)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("event") != "click":
            logger.debug("open button: ignored a message that is not a click")
            return
        url = content.get("url")
        opened = url if isinstance(url, str) else self.url
        for callback in list(self._click_callbacks):
            callback(opened)


class StatusLine:
    """One line of text under a panel: progress, the outcome, or the error."""

    KINDS = ("info", "success", "error")
    COLOURS = {"info": "inherit", "success": "#1b7f2a", "error": "#b00020"}

    def __init__(self) -> None:
        self.widget = widgets.HTML(value="")
        self.widget.add_class("ovhub-status")
        self.text = ""
        self.kind = "info"

    def show(self, text: str, kind: str = "info") -> None:
        """Show ``text`` (whitespace collapsed to one line) as info, success or error."""
        if kind not in self.KINDS:
            raise ValueError(f"unknown status kind {kind!r}")
        self.text = " ".join(text.split())
        self.kind = kind
        self.widget.value = (
            f'<span class="ovhub-status-{kind}" style="color: {self.COLOURS[kind]}">{html.escape(self.text)}</span>'
        )
        logger.debug("panel status (%s): %s", kind, self.text)

    def error(self, exc: BaseException | str) -> None:
        """Show an error: an exception as its one-line message, or a text."""
        self.show(exc if isinstance(exc, str) else one_line(exc), "error")


class Panel:
    """Base of the sign-in panels: a box of widgets, a status line, background work.

    Displaying the panel displays its box. ``widgets()`` lists every widget it contains,
    which tests use to check that no secret stayed in a synced trait.
    """

    css_class = "ovhub-panel"

    def __init__(self) -> None:
        self.status = StatusLine()
        self.box = widgets.VBox([])
        self.box.add_class("ovhub-panel")
        self.box.add_class(self.css_class)
        self._threads: list[threading.Thread] = []
        self._closed = False

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    def widgets(self) -> list[widgets.Widget]:
        """Return every widget of the panel: the box, its descendants, their layouts and styles."""
        return list(iter_widgets(self.box))

    def run_in_background(self, target: Callable[[], Any], name: str) -> threading.Thread:
        """Run ``target`` in a daemon thread; an exception it raises is shown in the status line."""

        def run() -> None:
            try:
                target()
            except errors.OvhubError as exc:
                logger.info("%s: %s", name, one_line(exc))
                self.status.error(exc)
            except Exception as exc:  # noqa: BLE001 - a thread's boundary: show it, keep the kernel alive
                logger.exception("%s failed", name)
                self.status.error(exc)

        thread = threading.Thread(target=run, name=f"ovhub-{name}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until the background work started so far ends; return False if some is still running."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def close(self) -> None:
        """Stop background work and close every widget (the panel disappears from the page)."""
        self._closed = True
        for widget in self.widgets():
            widget.close()


def iter_widgets(root: widgets.Widget) -> Iterator[widgets.Widget]:
    """Yield ``root`` and every widget reachable through its traits (children, layout, style), once each."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        widget = pending.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        yield widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            items = value if isinstance(value, (list, tuple)) else (value,)
            pending.extend(item for item in items if isinstance(item, widgets.Widget))


def take_value(field: widgets.Widget) -> str:
    """Return a text field's value and clear the field, so a secret leaves the synced state at once."""
    value = field.value
    field.value = ""
    return value


def labelled(label: str, field: widgets.Widget) -> widgets.HBox:
    """Return ``field`` with a fixed-width label in front of it."""
    row = widgets.HBox([widgets.Label(label, layout=widgets.Layout(width=LABEL_WIDTH)), field])
    row.add_class("ovhub-field")
    return row


def text_field(value: str = "", placeholder: str = "", css_class: str = "", *, secret: bool = False) -> widgets.Text:
    """Return a Text (or a Password when ``secret``) field that takes the rest of the row."""
    cls = widgets.Password if secret else widgets.Text
    field = cls(value=value, placeholder=placeholder, layout=widgets.Layout(width="32em"))
    if css_class:
        field.add_class(css_class)
    return field


def link_html(url: str, text: str | None = None) -> str:
    """Return an HTML link that opens ``url`` in a new tab."""
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(text or url)}</a>"
    )


def sandbox_account(kind: str) -> Account | None:
    """Return the account of ``kind`` ("hubic", "ovh") that ``%ovhub sandbox`` registered, or None."""
    for account in REGISTRY.accounts():
        if account.source == SANDBOX_SOURCE and account.kind == kind:
            return account
    return None


# -- the OVHcloud API endpoint -------------------------------------------------------------------

# Value of the endpoint dropdown's entry that reveals a field for any base URL.
CUSTOM_ENDPOINT = "custom"


class EndpointPicker:
    """A dropdown of the named endpoints (and the sandbox's, when it runs) plus a custom URL field."""

    def __init__(self, endpoint: str | None = None, sandbox_url: str | None = None) -> None:
        options: list[tuple[str, str]] = []
        if sandbox_url:
            options.append((f"sandbox ({sandbox_url})", sandbox_url))
        options += [(name, name) for name in ENDPOINTS]
        options.append(("custom URL", CUSTOM_ENDPOINT))
        values = [value for _, value in options]

        chosen = endpoint or sandbox_url or "ovh-eu"
        custom = "" if chosen in values else chosen
        self.dropdown = widgets.Dropdown(options=options, value=chosen if chosen in values else CUSTOM_ENDPOINT)
        self.dropdown.add_class("ovhub-endpoint")
        self.custom_url = text_field(custom, "base URL of the API, such as https://eu.api.ovh.com/1.0", "ovhub-endpoint-url")
        self.custom_row = labelled("Endpoint URL", self.custom_url)
        self.widget = widgets.VBox([labelled("Endpoint", self.dropdown), self.custom_row])
        self._show_custom_row()
        self.dropdown.observe(lambda _change: self._show_custom_row(), names="value")

    def _show_custom_row(self) -> None:
        self.custom_row.layout.display = None if self.dropdown.value == CUSTOM_ENDPOINT else "none"

    @property
    def value(self) -> str:
        """The chosen endpoint name or base URL; raises ``InvalidInputError`` when it is not usable."""
        chosen = self.dropdown.value
        if chosen == CUSTOM_ENDPOINT:
            chosen = self.custom_url.value.strip()
            if not chosen:
                raise errors.InvalidInputError(
                    "the custom endpoint URL is empty", hint="type the API's base URL, or choose a named endpoint"
                )
        resolve_endpoint(chosen)
        return chosen

    def observe(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` whenever the chosen endpoint may have changed."""
        self.dropdown.observe(lambda _change: callback(), names="value")
        self.custom_url.observe(lambda _change: callback(), names="value")


# -- access rules --------------------------------------------------------------------------------

# Buttons of the rules editor: preset name and the button's text.
PRESET_BUTTONS = (
    ("read-only", "Read-only (GET /*)"),
    ("full", "Full access"),
    ("object-storage", "Object storage only"),
)


class AccessRulesEditor:
    """Rows of method and path, with buttons to add or remove a row and to load a preset."""

    def __init__(self, rules: str | Iterable[Any] = "full") -> None:
        self.rows_box = widgets.VBox([])
        self.rows_box.add_class("ovhub-rule-rows")
        self._rows: list[tuple[widgets.Dropdown, widgets.Text, widgets.HBox]] = []

        # The preset buttons by preset name.
        self.preset_buttons: dict[str, widgets.Button] = {}
        for preset, text in PRESET_BUTTONS:
            button = widgets.Button(description=text, tooltip=f"replace the rules with the {preset} preset")
            button.add_class(f"ovhub-preset-{preset}")
            button.on_click(lambda _button, preset=preset: self.set_rules(ACCESS_RULE_PRESETS[preset]))
            self.preset_buttons[preset] = button
        self.add_button = widgets.Button(description="Add rule", icon="plus")
        self.add_button.add_class("ovhub-add-rule")
        self.add_button.on_click(lambda _button: self.add_row("GET", "/"))

        self.widget = widgets.VBox(
            [widgets.HTML("<b>Access rules</b>"), widgets.HBox(list(self.preset_buttons.values())), self.rows_box,
             self.add_button]
        )
        self.widget.add_class("ovhub-rules")
        self.set_rules(parse_access_rules(rules))

    def set_rules(self, rules: Iterable[Any]) -> None:
        """Replace the rows with ``rules`` (dicts with method and path, or pairs)."""
        old_rows = [row for _, _, row in self._rows]
        self._rows = []
        for rule in rules:
            method, path = (rule["method"], rule["path"]) if isinstance(rule, dict) else rule
            self._append(method, path)
        self._refresh()
        for row in old_rows:
            for widget in iter_widgets(row):
                widget.close()

    def add_row(self, method: str = "GET", path: str = "/") -> None:
        """Add one rule row."""
        self._append(method, path)
        self._refresh()

    def _append(self, method: str, path: str) -> None:
        method_field = widgets.Dropdown(options=list(RULE_METHODS), value=method, layout=widgets.Layout(width="7em"))
        path_field = widgets.Text(value=path, placeholder="/path, * for any", layout=widgets.Layout(width="24em"))
        remove = widgets.Button(description="", icon="trash", tooltip="remove this rule", layout=widgets.Layout(width="3em"))
        row = widgets.HBox([method_field, path_field, remove])
        row.add_class("ovhub-rule")
        remove.on_click(lambda _button, row=row: self._remove(row))
        self._rows.append((method_field, path_field, row))

    def _remove(self, row: widgets.HBox) -> None:
        self._rows = [entry for entry in self._rows if entry[2] is not row]
        self._refresh()
        for widget in iter_widgets(row):
            widget.close()

    def _refresh(self) -> None:
        self.rows_box.children = tuple(row for _, _, row in self._rows)

    def rules(self) -> list[dict[str, str]]:
        """Return the rules as the API takes them; raises ``InvalidInputError`` for an empty or bad row."""
        return parse_access_rules([(method.value, path.value.strip()) for method, path, _ in self._rows])
