// The exit-intent sampler (js/exit.js) on a stand-in window: which page events become which
// samples, and which do not reach the module at all.
//   node --test tests/exit_sampler.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { attachExitSampler } from "../js/exit.js";
import { standInWindow } from "./fixtures/exit/sampler-replay.mjs";

/** A sampler on a 1280x800 window over a 4000 px page; `at(t)` sets the clock. */
function sampler({ touch = false, hidden = false } = {}) {
  const win = standInWindow({ width: 1280, height: 800, page: 4000, hidden });
  let clock = 1000;
  const fed = [];
  const detach = attachExitSampler((...s) => fed.push(s), { touch, win, now: () => clock });
  return { win, fed, detach, at: (t) => { clock = t; } };
}

const INPUT = (type) => ({ tagName: "INPUT", type });

test("attaching lands the page and reports its scroll position", () => {
  assert.deepEqual(sampler().fed, [[0, 1000, 1280, 800, 4000, 0], [3, 1000, 0, 800, 4000, 0]]);
  assert.deepEqual(sampler({ touch: true, hidden: true }).fed[0], [0, 1000, 1280, 800, 4000, 5]);
});

test("pointer moves are not fed; leaving the window is, with the speed of the last ~100 ms", () => {
  const s = sampler();
  s.fed.length = 0;
  for (let i = 0; i <= 10; i++) s.win.fire("mousemove", { timeStamp: 1000 + 20 * i, clientX: 600, clientY: 400 - 30 * i });
  assert.deepEqual(s.fed, []);
  s.at(1300);
  // Last moves: y 100 at t 1200; the anchor is the move at least 100 ms before the latest one.
  s.win.fire("mouseout", { timeStamp: 1220, clientX: 610, clientY: -5 });
  const [kind, t, x, y, vx, vy] = s.fed[0];
  assert.deepEqual([kind, t, x, y], [1, 1300, 610, -5]);
  // From (600, 250) at t 1100 to (610, -5) at 1220: 83 px/s right, 2125 px/s up.
  assert.deepEqual([vx, vy], [83, -2125]);
});

test("leaving one element for another is not leaving the window", () => {
  const s = sampler();
  s.fed.length = 0;
  s.win.fire("mouseout", { timeStamp: 5, clientX: 1, clientY: 1, relatedTarget: { tagName: "DIV" } });
  s.win.fire("mouseover", { timeStamp: 6, clientX: 1, clientY: 1, relatedTarget: { tagName: "DIV" } });
  assert.deepEqual(s.fed, []);
});

test("entering the window is fed, and restarts the speed measurement there", () => {
  const s = sampler();
  s.fed.length = 0;
  s.at(2000);
  s.win.fire("mouseover", { timeStamp: 2000, clientX: 300, clientY: 4 });
  s.win.fire("mouseout", { timeStamp: 2050, clientX: 300, clientY: -6 });
  assert.deepEqual(s.fed, [[2, 2000, 300, 4, 0, 0], [1, 2000, 300, -6, 0, -200]]);
});

test("scroll positions at most every 100 ms, the page's only, and at every scrollend", () => {
  const s = sampler();
  s.fed.length = 0;
  for (const t of [0, 50, 99, 100, 150, 201]) {
    s.at(t);
    s.win.scrollY = t * 2;
    s.win.fire("scroll", { timeStamp: t });
  }
  s.win.fire("scroll", { timeStamp: 400, target: { tagName: "DIV" } }); // an inner scroller
  s.at(450);
  s.win.fire("scrollend", { timeStamp: 450 });
  s.win.fire("scrollend", { timeStamp: 460, target: { tagName: "DIV" } });
  assert.deepEqual(s.fed, [
    [3, 0, 0, 800, 4000, 0],
    [3, 100, 200, 800, 4000, 0],
    [3, 201, 402, 800, 4000, 0],
    [3, 450, 402, 800, 4000, 0],
  ]);
});

test("what has the focus: text fields, selects, anything else", () => {
  const s = sampler();
  s.fed.length = 0;
  const focus = [
    INPUT("search"), INPUT("email"), INPUT(undefined), { tagName: "TEXTAREA" }, { tagName: "DIV", isContentEditable: true },
    { tagName: "SELECT" }, INPUT("checkbox"), INPUT("submit"), { tagName: "BUTTON" }, { tagName: "A" },
  ];
  for (const target of focus) s.win.fire("focusin", { timeStamp: 1, target });
  s.win.fire("focusout", { timeStamp: 2 });
  assert.deepEqual(s.fed.map((f) => f[0] === 5 && f[2]), [1, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0]);
});

test("a select's popup: opened by a press, closed by a change", () => {
  const s = sampler();
  s.fed.length = 0;
  s.win.fire("mousedown", { timeStamp: 1, target: { tagName: "SELECT" } });
  s.win.fire("change", { timeStamp: 2, target: { tagName: "SELECT" } });
  s.win.fire("change", { timeStamp: 3, target: INPUT("search") });
  s.win.fire("mousedown", { timeStamp: 4, target: { tagName: "DIV" } });
  assert.deepEqual(s.fed.map((f) => [f[0], f[2]]), [[6, 0], [5, 2], [5, 0], [6, 0]]);
});

test("keys at most every 250 ms, touches every time", () => {
  const s = sampler({ touch: true });
  s.fed.length = 0;
  for (const t of [0, 100, 250, 251, 600]) s.win.fire("keydown", { timeStamp: t });
  s.win.fire("touchstart", { timeStamp: 700 });
  s.win.fire("touchstart", { timeStamp: 701 });
  assert.deepEqual(s.fed.map((f) => [f[0], f[2]]), [[6, 1], [6, 1], [6, 1], [6, 2], [6, 2]]);
});

test("visibility, back/forward-cache restores and resizes", () => {
  const s = sampler();
  s.fed.length = 0;
  s.at(5000);
  s.win.document.hidden = true;
  s.win.fire("visibilitychange", {});
  s.win.document.hidden = false;
  s.win.fire("visibilitychange", {});
  s.win.fire("pageshow", { persisted: false });
  s.win.scrollY = 700;
  s.win.fire("pageshow", { persisted: true });
  s.win.innerWidth = 900;
  s.win.fire("resize", {});
  assert.deepEqual(s.fed, [
    [4, 5000, 1, 0, 0, 0],
    [4, 5000, 0, 0, 0, 0],
    [0, 5000, 1280, 800, 4000, 2],
    [3, 5000, 700, 800, 4000, 0],
    [7, 5000, 900, 800, 0, 0],
  ]);
});

test("detaching removes every listener", () => {
  const s = sampler();
  assert.ok(s.win.listeners.size >= 10);
  s.detach();
  assert.equal(s.win.listeners.size, 0);
});
