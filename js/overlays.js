// The overlays Trailmark owns, so a site needs no HTML for them: a bar at the top or the bottom,
// a corner card (both fixed: they never shift the page's layout, and never take focus), and a
// modal dialog (a native <dialog> opened with showModal(): focus moves in and stays in, the page
// behind is inert, Esc and the close button close it, focus returns where it was). The close
// button is a <form method="dialog"> button, so it and Esc work with no script at all: if the
// module stops while a dialog is open, the shopper is never locked in.
//
// Styles come as a constructable stylesheet (no <style> element, no style attribute: nothing
// `style-src` blocks), with zero specificity (:where) so any site rule wins, and custom
// properties to restyle: --trailmark-surface, --trailmark-text, --trailmark-accent,
// --trailmark-radius, --trailmark-shadow, --trailmark-z, --trailmark-width.

const CSS = `:where(.tm-overlay){box-sizing:border-box;z-index:var(--trailmark-z,2147483000);background:var(--trailmark-surface,#fff);color:var(--trailmark-text,#1d1b18);box-shadow:var(--trailmark-shadow,0 8px 30px rgb(0 0 0/.18));font:inherit}
:where(.tm-bar){position:fixed;left:0;right:0;display:flex;align-items:center;gap:1rem;padding:.6rem 3rem .6rem 1rem;justify-content:center}
:where(.tm-bar-top){top:0}:where(.tm-bar-bottom){bottom:0}
:where(.tm-corner){position:fixed;right:1rem;bottom:1rem;width:min(var(--trailmark-width,22rem),calc(100vw - 2rem));padding:1.25rem 2.5rem 1.25rem 1.25rem;border-radius:var(--trailmark-radius,12px)}
:where(.tm-dialog){border:0;width:min(var(--trailmark-width,28rem),calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;padding:1.75rem;border-radius:var(--trailmark-radius,12px)}
:where(.tm-dialog h2,.tm-dialog h3,.tm-dialog h4){margin-right:2rem}
:where(.tm-dialog)::backdrop{background:rgb(0 0 0/.45)}
:where(.tm-close){position:absolute;top:.35rem;right:.35rem;min-width:2.75rem;min-height:2.75rem;border:0;background:none;color:inherit;font-size:1.5rem;line-height:1;cursor:pointer}
:where(.tm-close):focus-visible{outline:3px solid var(--trailmark-accent,#b4532a);outline-offset:-3px}
:where(.tm-dialog form){margin:0}
:where(.tm-modal-open){overflow:hidden}
@media (prefers-reduced-motion:no-preference){:where(.tm-overlay){animation:tm-in .18s ease-out}@keyframes tm-in{from{opacity:0;transform:translateY(.5rem)}}}`;

let styled = false;
function styles() {
  if (styled) return;
  styled = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch (_) { /* no constructable stylesheets: the site's own CSS styles the classes */ }
}

/** A close button; in a dialog, a `method="dialog"` form's submit button (works without script). */
function closeButton(doc, inDialog) {
  const button = doc.createElement("button");
  button.className = "tm-close";
  button.setAttribute("aria-label", "Close");
  button.setAttribute("data-trailmark-action", "dismiss");
  button.textContent = "\u00d7";
  if (!inDialog) {
    button.type = "button";
    return button;
  }
  const form = doc.createElement("form");
  form.method = "dialog";
  button.value = "dismiss";
  form.appendChild(button);
  return form;
}

let ids = 0;

/**
 * The overlays of a page. `sync(decisions, blocks)` shows each overlay decision's block in its
 * placement and removes a bar or card whose rule no longer holds; a dialog opens once its claim
 * (hooks.claim, across tabs) succeeds and stays until the shopper closes it. `hooks`: `build`
 * (a block and its decision -> [element, its filled texts]), `refill(texts, decision)` (the
 * texts follow the decision's new amounts; false when one cannot show), `claim(decision)` (a promise of whether the dialog may open), `shown`
 * (decision, element: the block is visible), `closed` (decision, how: "dismiss" or "accept"),
 * `actions` (element, decision, close): wires a block's actions.
 */
export function createOverlays(hooks) {
  const open = new Map(); // placement -> { d: decision, el }
  const claimed = new Set(); // rules whose dialog was claimed on this page

  const remove = (placement) => {
    const o = open.get(placement);
    if (!o) return;
    open.delete(placement);
    if (o.el.open) o.el.close();
    o.el.remove();
  };

  const show = (d, blocks) => {
    const doc = document;
    let block, holes;
    try { [block, holes] = hooks.build(blocks[d.block], d); } catch (_) { return false; }
    styles();
    const dialog = d.placement === "dialog";
    const el = doc.createElement(dialog ? "dialog" : d.placement === "corner" ? "aside" : "div");
    el.className = "tm-overlay " + (dialog ? "tm-dialog" : d.placement === "corner" ? "tm-corner" : "tm-bar tm-" + d.placement);
    el.setAttribute("data-trailmark-rule", d.rule);
    el.setAttribute("data-trailmark-block", d.block);
    // Named by the block's first heading, or else by its first text (so two overlays on a page
    // never share a name, and the name follows a text filled again).
    const own = (e) => e.firstChild && e.firstChild.nodeType === 3 && e.firstChild.textContent.trim();
    const heading = block.matches("h2,h3,h4") ? block : block.querySelector("h2,h3,h4") ||
      [block, ...block.querySelectorAll("*")].find(own);
    if (heading) {
      heading.id = heading.id || "tm-heading-" + ++ids;
      el.setAttribute("aria-labelledby", heading.id);
    } else {
      el.setAttribute("aria-label", dialog ? "Offer" : "Announcement");
    }
    if (!dialog) el.setAttribute("role", "region");
    el.append(closeButton(doc, dialog), block);
    let how = "dismiss";
    const close = (reason) => {
      how = reason;
      if (dialog) el.close(); else { remove(d.placement); hooks.closed(d, how); }
    };
    hooks.actions(el, d, close);
    open.set(d.placement, { d, el, holes });
    if (dialog) {
      const back = doc.activeElement;
      el.addEventListener("close", () => {
        doc.documentElement.classList.remove("tm-modal-open");
        if (open.get("dialog") && open.get("dialog").el === el) open.delete("dialog");
        el.remove();
        if (back && back.focus) back.focus();
        hooks.closed(d, how);
      });
      doc.body.appendChild(el);
      doc.documentElement.classList.add("tm-modal-open");
      el.showModal();
    } else {
      doc.body.appendChild(el);
    }
    hooks.shown(d, el);
    return true;
  };

  return {
    sync(decisions, blocks) {
      for (const placement of ["bar-top", "bar-bottom", "corner"]) {
        const d = decisions.find((x) => x.placement === placement);
        const o = open.get(placement);
        // Same rule and block: its texts follow the new amounts in place.
        if (o && (!d || o.d.rule !== d.rule || o.d.block !== d.block || !hooks.refill(o.holes, d))) remove(placement);
        if (d && !open.has(placement)) show(d, blocks);
      }
      const d = decisions.find((x) => x.placement === "dialog");
      if (d && !open.has("dialog") && !claimed.has(d.rule)) {
        claimed.add(d.rule);
        hooks.claim(d).then((ok) => { if (ok && !open.has("dialog")) show(d, blocks); }, () => {});
      }
    },
    /** A new page view of a single-page app: bars and cards are decided again; a dialog stays open. */
    newPage() { claimed.clear(); },
  };
}
