"""The open-in-a-new-tab button: its ES module run in node with a stand-in DOM, its Python side, its packaging."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import traitlets

from ovhub_jupyter.widgets.panel import JS_DIR, OpenButton

MODULE = JS_DIR / "open_button.js"
REPOSITORY = Path(__file__).resolve().parents[2]

# Renders the module with a stand-in DOM and model, clicks, and prints what happened as JSON.
NODE_HARNESS = r"""
class FakeElement {
  constructor(tag) {
    this.tag = tag; this.children = []; this.listeners = {}; this.classes = [];
    this.textContent = ""; this.title = ""; this.disabled = false; this.className = "";
    this.classList = { add: (name) => this.classes.push(name) };
  }
  appendChild(child) { this.children.push(child); }
  addEventListener(type, listener) { this.listeners[type] = listener; }
  removeEventListener(type) { delete this.listeners[type]; }
}
const opened = [];
const sent = [];
globalThis.document = { createElement: (tag) => new FakeElement(tag) };
globalThis.window = { open: (...args) => { opened.push(args); return null; } };
const values = { url: "", description: "Sign in", tooltip: "open the page", disabled: false };
const handlers = {};
const model = {
  get: (key) => values[key],
  on: (event, handler) => { (handlers[event] = handlers[event] || []).push(handler); },
  off: (event, handler) => { handlers[event] = (handlers[event] || []).filter((h) => h !== handler); },
  send: (message) => sent.push(message),
};
const set = (key, value) => { values[key] = value; (handlers["change:" + key] || []).forEach((h) => h()); };

const module = await import(process.argv[2]);
const el = new FakeElement("div");
const cleanup = module.default.render({ model, el });
const button = el.children[0];
const report = { text: button.textContent, title: button.title, classes: button.className,
                 disabledWithoutUrl: button.disabled };
button.listeners.click();
report.openedWithoutUrl = opened.length;

set("url", "javascript:alert(1)");
report.disabledForScript = button.disabled;
button.listeners.click();
report.openedForScript = opened.length;

set("url", "http://127.0.0.1:9/auth?state=abc");
report.disabledWithUrl = button.disabled;
button.listeners.click();
report.opened = opened;
report.sent = sent;

set("disabled", true);
report.disabledByModel = button.disabled;
cleanup();
report.handlersAfterCleanup = Object.values(handlers).reduce((n, list) => n + list.length, 0);
report.clickListenerAfterCleanup = "click" in button.listeners;
console.log(JSON.stringify(report));
"""


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the ES module cannot be checked")
    return node


def test_module_passes_node_syntax_check(tmp_path):
    node = node_or_skip()
    copy = tmp_path / "open_button.mjs"
    shutil.copy(MODULE, copy)

    checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True, timeout=60)

    assert checked.returncode == 0, checked.stderr


def test_module_opens_url_then_sends_click(tmp_path):
    node = node_or_skip()
    copy = tmp_path / "open_button.mjs"
    shutil.copy(MODULE, copy)
    harness = tmp_path / "harness.mjs"
    harness.write_text(NODE_HARNESS, encoding="utf-8")

    run = subprocess.run([node, str(harness), copy.as_uri()], capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["text"] == "Sign in"
    assert report["title"] == "open the page"
    assert "ovhub-open-button" in report["classes"]
    assert report["disabledWithoutUrl"] is True
    assert report["openedWithoutUrl"] == 0
    assert report["disabledForScript"] is True
    assert report["openedForScript"] == 0
    assert report["disabledWithUrl"] is False
    assert report["opened"] == [["http://127.0.0.1:9/auth?state=abc", "_blank", "noopener"]]
    assert report["sent"] == [{"event": "click", "url": "http://127.0.0.1:9/auth?state=abc"}]
    assert report["disabledByModel"] is True
    assert report["handlersAfterCleanup"] == 0
    assert report["clickListenerAfterCleanup"] is False


def test_click_message_reaches_callbacks():
    button = OpenButton(url="http://127.0.0.1:9/page", description="Open")
    clicks = []
    button.on_click(clicks.append)

    button._handle_custom_msg({"event": "click", "url": "http://127.0.0.1:9/page"}, [])
    button._handle_custom_msg({"event": "hover"}, [])
    button._handle_custom_msg("click", [])

    assert clicks == ["http://127.0.0.1:9/page"]
    button.close()


def test_non_http_url_rejected():
    button = OpenButton()

    with pytest.raises(traitlets.TraitError):
        button.url = "javascript:alert(1)"

    assert button.url == ""
    button.close()


def test_module_synced_to_front_end():
    button = OpenButton()

    state = button.get_state()

    assert state["_esm"] == MODULE.read_text(encoding="utf-8")
    assert state["description"] == "Open"
    button.close()


def test_module_included_as_package_data(tmp_path):
    # Build a copy, so the work tree gets no build/ or egg-info folder.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(REPOSITORY / "pyproject.toml", source)
    if (REPOSITORY / "README.md").exists():
        shutil.copy(REPOSITORY / "README.md", source)
    shutil.copytree(REPOSITORY / "ovhub_jupyter", source / "ovhub_jupyter",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    build = tmp_path / "build"

    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", str(build)],
        cwd=source, capture_output=True, text=True, timeout=300,
    )

    assert built.returncode == 0, built.stderr
    packaged = build / "ovhub_jupyter" / "js" / "open_button.js"
    assert packaged.is_file()
    assert packaged.read_bytes() == MODULE.read_bytes()
