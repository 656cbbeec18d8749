// The debug panel (`?trailmark-debug=KEY`, README "Preview and debugging"): the page's decisions,
// and `explain()` on request. Part of the page-UI chunk; text only (textContent), no HTML.

const CSS = `.tm-debug{position:fixed;left:.5rem;bottom:.5rem;z-index:2147483001;max-width:min(40rem,calc(100vw - 1rem));max-height:50vh;overflow:auto;background:#111;color:#eee;font:12px/1.4 ui-monospace,monospace;padding:.75rem;border-radius:8px;box-shadow:0 4px 20px rgb(0 0 0/.4)}
.tm-debug button{font:inherit;margin:.25rem .5rem .25rem 0}.tm-debug pre{white-space:pre-wrap;margin:.5rem 0 0}`;

/** Shows the panel for `api` (the page's `window.trailmark`). */
export function showDebug(api) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch (_) { /* unstyled */ }
  const panel = document.createElement("aside");
  panel.className = "tm-debug";
  panel.setAttribute("aria-label", "Trailmark debug");
  const title = document.createElement("strong");
  title.textContent = "Trailmark decisions";
  const out = document.createElement("pre");
  const button = (label, action) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  };
  const show = () => {
    out.textContent = api.decisions().map((d) =>
      (d.slot || d.placement) + ": " + d.rule + " -> " + (d.block || "(default content: control or holdout)") + (d.preview ? " (preview)" : "")).join("\n") || "(nothing decided)";
  };
  const explain = async () => { out.textContent = JSON.stringify(await api.explain(), null, 2); };
  panel.append(title, document.createElement("br"), button("Decisions", show), button("Explain", explain), out);
  document.body.appendChild(panel);
  show();
}
