// The exit-intent sampler: turns the page's events into the few samples the detector in the
// module needs (src/exit/), as plain numbers: feed(kind, t, a, b, c, d). See
// `Sample::from_numbers` for the kinds:
//
//   0 land: viewport width, viewport height, page height, flags (1 phone, 2 restored, 4 hidden)
//   1 the pointer left the window: x, y, vx, vy (px/s over its last ~100 ms; negative vy: up)
//   2 the pointer entered the window: x, y
//   3 scroll: scrollY, viewport height, page height (at most every 100 ms, and at scrollend)
//   4 visibility: 1 hidden, 0 shown
//   5 focus: 0 none, 1 text field, 2 select
//   6 input: 0 mouse button, 1 key (at most every 250 ms), 2 touch
//   7 resize: viewport width, viewport height
//
// Every listener is passive, and a mouse move only updates a few variables: the module is
// called for a handful of samples per page, never per move. It never touches history.

// <input type=...> whose value is not typed text (no autocomplete popup, no typing).
const NOT_TEXT = /^(button|checkbox|color|file|hidden|image|radio|range|reset|submit)$/;

/**
 * Starts sampling; returns a function that stops it. `options.touch`: the device is a phone
 * (touch first). `options.win` and `options.now` replace `window` and `Date.now` (tests, the
 * trace generator).
 */
export function attachExitSampler(feed, options = {}) {
  const win = options.win || window;
  const now = options.now || Date.now;
  const doc = win.document;
  const root = doc.documentElement;
  // The last pointer position and the one about 100 ms before it, with their event times.
  let x = 0, y = 0, t = -1e9, fromX = 0, fromY = 0, fromT = -1e9;
  let scrolled = -1e9, typed = -1e9;

  const send = (kind, a, b, c, d) => feed(kind, now(), a || 0, b || 0, c || 0, d || 0);
  const land = (restored) => send(0, win.innerWidth, win.innerHeight, root.scrollHeight,
    (options.touch ? 1 : 0) | (restored ? 2 : 0) | (doc.hidden ? 4 : 0));
  const scroll = () => send(3, win.scrollY, win.innerHeight, root.scrollHeight);
  const focusOf = (el) => {
    const tag = el && el.tagName;
    return tag === "SELECT" ? 2
      : tag === "TEXTAREA" || (tag === "INPUT" && !NOT_TEXT.test(el.type)) || (el && el.isContentEditable) ? 1 : 0;
  };

  const on = {
    mousemove(e) {
      if (e.timeStamp - fromT > 100) { fromX = x; fromY = y; fromT = t; }
      x = e.clientX; y = e.clientY; t = e.timeStamp;
    },
    // No relatedTarget: out of the window (or into a native popup or an iframe: the detector
    // tells them apart by where it happened).
    mouseout(e) {
      if (e.relatedTarget) return;
      const dt = Math.max(e.timeStamp - fromT, 1) / 1000;
      send(1, e.clientX, e.clientY, Math.round((e.clientX - fromX) / dt), Math.round((e.clientY - fromY) / dt));
    },
    mouseover(e) {
      if (e.relatedTarget) return;
      x = fromX = e.clientX; y = fromY = e.clientY; t = fromT = e.timeStamp;
      send(2, x, y);
    },
    mousedown(e) {
      send(6, 0);
      if (focusOf(e.target) === 2) send(5, 2); // (re)opening a select that has the focus
    },
    keydown(e) {
      if (e.timeStamp - typed > 250) { typed = e.timeStamp; send(6, 1); }
    },
    touchstart() { send(6, 2); },
    focusin(e) { send(5, focusOf(e.target)); },
    focusout() { send(5, 0); },
    change(e) { if (focusOf(e.target) === 2) send(5, 0); }, // a select's popup closed
    scroll(e) {
      if (e.target === doc && e.timeStamp - scrolled >= 100) { scrolled = e.timeStamp; scroll(); }
    },
    scrollend(e) { if (e.target === doc) scroll(); },
    visibilitychange() { send(4, doc.hidden ? 1 : 0); },
    pageshow(e) { if (e.persisted) { land(1); scroll(); } },
    resize() { send(7, win.innerWidth, win.innerHeight); },
  };
  const opts = { capture: true, passive: true };
  for (const type in on) win.addEventListener(type, on[type], opts);
  land(0);
  scroll();
  return () => { for (const type in on) win.removeEventListener(type, on[type], opts); };
}
