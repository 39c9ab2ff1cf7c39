// A button that opens a URL in a new browser tab from the click itself, then messages the kernel.
//
// Popup blockers let window.open through only inside a user's click handler. A plain
// ipywidgets Button sends the click to the kernel first, and a tab opened when the
// kernel answers is blocked. So the kernel computes the URL before the click and syncs
// it here, and this handler opens it at once.
//
// Synced model fields (set by the kernel, read here):
//   url          the http(s) URL to open; the button is disabled while it is empty
//   description  the button's text
//   tooltip      the button's title attribute
//   disabled     true to disable the button whatever the URL
//
// Message to the kernel after each click that opened a tab (model.send):
//   {"event": "click", "url": "<the URL that was opened>"}
// The URL is sent back so the kernel can tell when the user clicked on a URL that was
// replaced while the message was on its way.

const SAFE_URL = /^https?:\/\//i;

function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "ovhub-open-button jupyter-widgets jupyter-button widget-button";

  const update = () => {
    const url = model.get("url") || "";
    button.textContent = model.get("description") || "Open";
    button.title = model.get("tooltip") || "";
    button.disabled = Boolean(model.get("disabled")) || !SAFE_URL.test(url);
  };

  const onClick = () => {
    const url = model.get("url") || "";
    if (model.get("disabled") || !SAFE_URL.test(url)) {
      return;
    }
    // "noopener" keeps the new tab from reaching this page through window.opener.
    window.open(url, "_blank", "noopener");
    model.send({ event: "click", url: url });
  };

  button.addEventListener("click", onClick);
  model.on("change:url", update);
  model.on("change:description", update);
  model.on("change:tooltip", update);
  model.on("change:disabled", update);
  update();
  el.classList.add("ovhub-open");
  el.appendChild(button);

  return () => {
    button.removeEventListener("click", onClick);
    model.off("change:url", update);
    model.off("change:description", update);
    model.off("change:tooltip", update);
    model.off("change:disabled", update);
  };
}

export default { render };
