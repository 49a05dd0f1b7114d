/* Skolebro chat widget for a municipality's website. Paste one tag:

  <script src="https://skolebro.example.dk/widget.js" defer
          data-label="Bekymret for skolefravær? Skriv med Skolebro"
          data-color="#00594f" data-position="right"></script>

It adds a button; the button opens a panel with the Skolebro chat in an iframe (the chat keeps
its own storage on the Skolebro origin). The Skolebro server must list the site's origin in
CORS_ORIGINS, which also allows the framing (Content-Security-Policy frame-ancestors).
Nothing else is loaded; styles live in a shadow root so the host page is not affected.
*/
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__skolebroWidget) return;
  window.__skolebroWidget = true;
  var base = new URL(script.src, location.href).origin;
  var label = script.getAttribute("data-label") || "Skriv med Skolebro";
  var color = script.getAttribute("data-color") || "#00594f";
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) color = "#00594f";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var page = script.getAttribute("data-page") === "elev" ? "/elev" : "/";

  var css = [
    ":host { all: initial; }",
    ".sb-button { position: fixed; bottom: 1rem; " + side + ": 1rem; z-index: 2147483000;",
    "  font: 600 1rem/1.3 system-ui, sans-serif; color: #fff; background: " + color + ";",
    "  border: 2px solid #fff; border-radius: 2rem; padding: .75rem 1.1rem; cursor: pointer;",
    "  box-shadow: 0 2px 8px rgba(0,0,0,.35); max-width: calc(100vw - 2rem); }",
    ".sb-button:focus-visible, .sb-close:focus-visible { outline: 3px solid #1a1a1a;",
    "  outline-offset: 2px; box-shadow: 0 0 0 5px #fff; }",
    ".sb-panel { position: fixed; bottom: 5rem; " + side + ": 1rem; z-index: 2147483001;",
    "  width: min(26rem, calc(100vw - 2rem)); height: min(40rem, calc(100vh - 7rem));",
    "  background: #fff; border: 2px solid " + color + "; border-radius: .75rem;",
    "  box-shadow: 0 4px 24px rgba(0,0,0,.35); display: flex; flex-direction: column;",
    "  overflow: hidden; }",
    ".sb-panel[hidden] { display: none; }",
    ".sb-head { display: flex; justify-content: space-between; align-items: center;",
    "  background: " + color + "; color: #fff; padding: .35rem .5rem .35rem .75rem;",
    "  font: 600 1rem/1.3 system-ui, sans-serif; }",
    ".sb-close { font: inherit; color: #fff; background: transparent; border: 2px solid #fff;",
    "  border-radius: .4rem; padding: .2rem .6rem; cursor: pointer; }",
    "iframe { border: 0; width: 100%; flex: 1; }",
    "@media (max-width: 30rem) { .sb-panel { bottom: 0; " + side + ": 0; width: 100vw;",
    "  height: 100vh; border-radius: 0; } }",
  ].join("\n");

  var host = document.createElement("div");
  host.id = "skolebro-widget";
  document.body.appendChild(host);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "sb-button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "sb-panel");

  var panel = document.createElement("div");
  panel.className = "sb-panel";
  panel.id = "sb-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Skolebro chat");

  var head = document.createElement("div");
  head.className = "sb-head";
  var title = document.createElement("span");
  title.textContent = "Skolebro";
  var close = document.createElement("button");
  close.type = "button";
  close.className = "sb-close";
  close.textContent = "Luk";
  close.setAttribute("aria-label", "Luk Skolebro chat");
  head.appendChild(title);
  head.appendChild(close);
  panel.appendChild(head);

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = "Skolebro chat";
      frame.src = base + page + "?embed=1";
      frame.setAttribute("allow", "clipboard-write");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    close.focus();
  }
  function shut() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () {
    if (panel.hidden) open();
    else shut();
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });

  window.addEventListener("message", function (event) {
    if (event.origin === base && event.data && event.data.skolebro === "close" && !panel.hidden) {
      shut();
    }
  });

  root.appendChild(panel);
  root.appendChild(button);
})();
