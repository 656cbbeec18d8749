// Types for the `trailmark` package (ESM entry) and the `window.trailmark` global.

/** A JSON value as Trailmark accepts it in properties and configs. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Event properties: a plain object. Values past the documented limits are clamped. */
export type Properties = { [key: string]: Json | undefined };

/**
 * A product in cart events (Segment e-commerce spec v2): money in integer minor units
 * (`1850` for $18.50) plus a currency code.
 */
export interface Product extends Properties {
  product_id?: string;
  sku?: string;
  name?: string;
  category?: string;
  price?: number;
  currency?: string;
  quantity?: number;
}

/** A line of the cart as Trailmark keeps it. */
export interface CartItem {
  product_id: string;
  name: string;
  /** Minor units. */
  price: number;
  quantity: number;
  currency: string;
}

/** The cart, rolled up from `Product Added` / `Product Removed` / `Cart Viewed` / `Checkout Started`. */
export interface Cart {
  items: CartItem[];
  /** Units in the cart (quantities summed). */
  count: number;
  /** Minor units, of the lines in the cart's currency. */
  value: number;
  /** The first line's currency; `""` when the cart is empty. */
  currency: string;
}

/** The visitor profile as rules see it (see the README's attribute table); empty while personalization is denied. */
export interface Profile {
  cart?: Cart;
  [attribute: string]: unknown;
}

/** Event sources Trailmark can translate: a GA4 `dataLayer`, Shopify Web Pixel events. */
export type Adapter = "ga4" | "shopify";

/** A config problem: stable `code`, JSON Pointer `path` into the config, readable message. */
export declare class TrailmarkError extends Error {
  readonly name: "TrailmarkError";
  /** Stable machine-readable code, e.g. `rules/unknown-operator`. */
  readonly code: string;
  /** JSON Pointer to the offending value, e.g. `/rules/3/if/cart.value`. */
  readonly path: string;
  readonly severity: "error" | "warning";
}

/** Where a rule's block goes: a slot of the page, or an overlay Trailmark builds. */
export type Placement = "slot" | "bar-top" | "bar-bottom" | "corner" | "dialog";

/**
 * One piece of a filled text, flattened into its text's array: `0, text` | `1, number` |
 * `2, minor units, currency` | `3, number, singular word, plural word`.
 */
export type TextPiece = string | number;

/** Which rule and block a slot or overlay shows, and why. */
export interface Decision {
  /** The slot's name; `""` for an overlay. */
  slot: string;
  placement: Placement;
  rule: string;
  /** `""`: the page's default content (an experiment's control, or a visitor in the holdout). */
  block: string;
  /** The rule's offer code (`offer.code`), when it has one. Public: anyone can read a config. */
  offer?: string;
  /**
   * When the block has texts with placeholders: per text, its filled pieces, e.g.
   * `[[0, "You're ", 2, 4000, "USD", 0, " away from free delivery."]]`.
   */
  text?: TextPiece[][];
}

/**
 * `detail` of the DOM events Trailmark dispatches on `document` (`trailmark:show`,
 * `trailmark:click`, `trailmark:dismiss`, `trailmark:accept`): the properties of the outcome event
 * recorded with it (`Block Viewed`, `Block Clicked`, `Block Dismissed`, `Offer Accepted`).
 */
export interface OutcomeDetail {
  rule: string;
  block: string;
  placement: Placement;
  /** Slots only. */
  slot?: string;
  /** `trailmark:click` on a link: where it goes. */
  href?: string;
  /** `trailmark:accept` of a rule with an offer: its code. */
  code?: string;
}

/**
 * A content block node: allowlisted tag and attributes, text set with `textContent`. A `text` may
 * hold placeholders (`{{ 4000 - cart.value | money: 'USD' }}`, README "Personal text").
 */
export interface BlockNode {
  tag?: "div" | "section" | "aside" | "p" | "span" | "strong" | "em" | "b" | "i" | "h2" | "h3" | "h4" | "a" | "img"
    | "button" | "ul" | "ol" | "li" | "small" | "figure" | "figcaption" | "br";
  class?: string;
  text?: string;
  attrs?: Partial<Record<"href" | "src" | "alt" | "title" | "aria-label" | "role" | "target" | "rel" | "width" | "height"
    | "data-trailmark-action", string>>;
  children?: BlockNode[];
}

/** One consent choice: `"granted"` / `true` or `"denied"` / `false`. */
export type ConsentChoice = "granted" | "denied" | boolean;

/** A partial consent update: categories left out keep their state. */
export interface ConsentUpdate {
  analytics?: ConsentChoice;
  personalization?: ConsentChoice;
}

/** Where each consent category stands. */
export interface ConsentStates {
  analytics: "pending" | "granted" | "denied";
  personalization: "pending" | "granted" | "denied";
}

/** The site owner's config (see the README's config reference). */
export interface Config {
  $schema?: string;
  version?: 1;
  collector?: {
    url: string;
    format?: "segment" | "array";
    writeKey?: string;
    flushAt?: number;
    flushIntervalMs?: number;
    maxBatchBytes?: number;
    /** Gzip normal batches (`Content-Encoding: gzip`); beacons stay plain text. Default false. */
    gzip?: boolean;
    /** Extra headers on normal requests (beacons cannot carry headers). */
    headers?: { [name: string]: string };
  };
  consent?: { required?: boolean; honorGlobalPrivacyControl?: boolean };
  savedGroups?: { [id: string]: Json[] };
  blocks?: { [id: string]: BlockNode };
  rules?: Rule[];
  journeys?: Array<{ [field: string]: Json }>;
  /** How overlays share the session. */
  overlays?: {
    /** Dialogs one session may show, across tabs (0-100). Default 1. */
    dialogsPerSession?: number;
    /** A condition: where it holds, no dialog opens. */
    suppressDialogs?: Condition;
  };
  /** The exit-intent detector's settings per device class (`false`: nothing fires there). */
  exitIntent?: { desktop?: ExitDeviceSettings | boolean; phone?: ExitDeviceSettings | boolean };
  identity?: {
    /** The registrable domain on which the anonymous id is also kept in a cookie. */
    cookieDomain?: string;
    /** Names of `identify` traits kept on the device for personal text (at most 16). */
    traits?: string[];
  };
  privacy?: { redactParams?: string[] };
  /** Preview and debugging: the key `?trailmark-key=` / `?trailmark-debug=` must carry. */
  preview?: { key: string };
  /** Markup (`data-trailmark-event`) may record only these event names. */
  declarative?: { events?: string[] };
  /** The global holdout: a share of visitors who see no personalization (docs/experiments.md). */
  holdout?: ExperimentHashing & {
    /** 0 to 1. */
    share: number;
  };
}

/** How an experiment (or the holdout) assigns visitors: GrowthBook's settings. */
export interface ExperimentHashing {
  /** GrowthBook's key, Segment's `experiment_id` (default: the rule id; the holdout's `"holdout"`). */
  key?: string;
  /** Segment's `experiment_name` (default: the key). */
  name?: string;
  /** Default: the key. A new seed assigns everyone afresh. */
  seed?: string;
  /** Default 2. */
  hashVersion?: 1 | 2;
  /** `"id"` (default): the device's assignment key; `"userId"`: the id given to `identify`. */
  hashAttribute?: "id" | "userId";
  /** With `hashAttribute: "userId"`: the assignment key until a user id is known. */
  fallbackAttribute?: "id";
  description?: string;
}

/** One variant of a rule's experiment; without `show` it is a control (the default content). */
export interface Variant {
  id: string;
  name?: string;
  show?: string;
  /** 0 to 1; equal when none has one. */
  weight?: number;
  description?: string;
}

/** A GrowthBook targeting condition (history predicates `$event`, `$sequence`, `$absent` included). */
export type Condition = { [path: string]: Json };

/** A duration: `"90s"`, `"30m"`, `"2h"`, `"7d"`, or milliseconds. */
export type Duration = string | number;

/** A rule: in a slot (`slot`) or an overlay (`placement`), when `if` holds, show block `show`. */
export type Rule = {
  id: string;
  if?: Condition;
  /** -1000 to 1000; higher first, then config order. Default 0. */
  priority?: number;
  caps?: {
    perSession?: number;
    perWindow?: { views: number; within: Duration };
    ever?: number;
    /** Default `"5d"`. */
    afterDismiss?: Duration | "never";
    /** Default `"never"`. */
    afterAccept?: Duration | "never";
    until?: Condition;
  };
  /** ISO 8601 times with `Z` or an offset; `start` inclusive, `end` exclusive. */
  schedule?: { start?: string; end?: string };
  /** The code an `accept` action copies. Public: anyone can read a config. */
  offer?: { code: string };
  /** `"load"` (default): whenever `if` holds; `"exit"`: once exit intent was detected on the page. */
  trigger?: "load" | "exit";
  description?: string;
} & (
  | { show: string; variants?: never; experiment?: never }
  /** An A/B test of the rule: its audience split between variants (docs/experiments.md). */
  | {
      show?: never;
      variants: Variant[];
      experiment?: ExperimentHashing & {
        /** Share of matching visitors in the experiment (default 1); the others get the next rule. */
        coverage?: number;
        /** GrowthBook's `[id, start, end]`. */
        namespace?: [string, number, number];
      };
    }
) & (
  | { slot: string; placement?: never }
  | { placement: "bar-top" | "bar-bottom" | "corner" | "dialog"; slot?: never }
);

/** One exit-intent signal: `false` off, `true` on with its defaults, or the fields to change. */
type Signal<T> = boolean | T;

/** The exit-intent settings of one device class. */
export interface ExitDeviceSettings {
  armMs?: number;
  pointerTop?: Signal<{ edgePx?: number; minSpeed?: number; graceMs?: number; afterInteractionMs?: number; afterEntryMs?: number; typingMs?: number }>;
  scrollUp?: Signal<{ minDepthPercent?: number; minPx?: number; minSpeed?: number; settleMs?: number }>;
  tabReturn?: Signal<{ minHiddenMs?: number }>;
  idle?: Signal<{ ms?: number; minDepthPercent?: number }>;
}

/** A queued command: `["track", name, properties]`, `["page", properties]`, ... */
export type Command = [string, ...unknown[]];

/** The running Trailmark. No method ever throws. */
export interface Trailmark {
  readonly version: string;
  /** Resolves once started (or once it has given up, leaving the page's default content). */
  readonly started: Promise<void>;
  /** Records an event, e.g. `track("Product Added", { product_id: "sku-1", price: 1850, currency: "USD" })`. */
  track(name: string, properties?: Properties): void;
  /**
   * Records a page view. With `autoPage` (the default) they are automatic: on start, on
   * back/forward-cache restores and on single-page-app route changes to a new URL.
   */
  page(properties?: Properties): void;
  /** Names the shopper (a non-empty string): later events carry `userId`; records an `identify` event. */
  identify(userId: string, traits?: Properties): void;
  /** Sign-out: what is queued is delivered under the old identity, then user id, anonymous id, profile and history are forgotten. */
  reset(): void;
  /** The visitor profile as rules see it. `undefined` until Trailmark runs. */
  profile(): Profile | undefined;
  /** `track("Product Added", product)`. */
  addToCart(product: Product): void;
  /** `track("Product Removed", product)`. */
  removeFromCart(product: Product): void;
  /** The cart from the profile; an empty cart (`{ items: [], count: 0, value: 0, currency: "" }`) when there is none. */
  cart(): Cart;
  /** Renders the current decisions into the page's slots (new slots included); returns how many slots changed. */
  render(): number;
  /** What each slot and overlay shows on this page, and which rule chose it (empty while personalization is denied). */
  decisions(): Decision[];
  /**
   * `true`: no dialog opens on this page from now on (single-page-app routes included); `false`
   * lifts it. A dialog already open stays open.
   */
  suppressDialogs(on: boolean): void;
  /**
   * Records the shopper's consent choice (only the categories given change; the choice is stored,
   * denials included) and returns the resulting states. Without an argument, only returns them.
   * `undefined` until Trailmark runs (the call is queued and applied then).
   */
  consent(update?: ConsentUpdate): ConsentStates | undefined;
  /** Runs a queued command. */
  push(command: Command): void;
  /** Calls `fn` once Trailmark is running. */
  ready(fn: (api: Trailmark) => void): void;
  /** Validates a config without applying it (loads the tools chunk); resolves to an empty list when valid. */
  validateConfig(config: unknown): Promise<TrailmarkError[]>;
  /** GrowthBook-compatible condition evaluation (loads the tools chunk). */
  evalCondition(attributes: unknown, condition: unknown, savedGroups?: { [id: string]: Json[] }): Promise<boolean>;
  /** The tools chunk, loaded on first use; `null` where it cannot load. */
  tools(): Promise<Tools | null>;
}

/** A diagnostic as the compiler reports it. */
export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  path: string;
  message: string;
}

/** The tools chunk (`trailmark_tools.js`): the config compiler and GrowthBook's functions, synchronous once loaded. */
export interface Tools {
  /** Compiles a JSON config: the program the module reads, the blocks the renderer builds, every diagnostic. */
  compileConfig(config: unknown): { program: Uint8Array; blocks: { [id: string]: unknown }; diagnostics: Diagnostic[] };
  validateConfig(config: unknown): Diagnostic[];
  evalCondition(attributes: unknown, condition: unknown, savedGroups?: { [id: string]: Json[] }): boolean;
  /** GrowthBook's `hash(seed, value, version)`: a number in [0, 1), or `null` for an unknown version. */
  hash(seed: string, value: string, version: number): number | null;
  getBucketRanges(numVariations: number, coverage: number, weights?: number[]): Array<[number, number]>;
  chooseVariation(n: number, ranges: Array<[number, number]>): number;
  getEqualWeights(n: number): number[];
  inNamespace(hashValue: string, namespace: [string, number, number]): boolean;
}

/** A compiled config, as `trailmark build` writes it. */
export interface CompiledConfig {
  trailmark: "compiled";
  format: number;
  version: string;
  /** Base64 of the program the module reads. */
  program: string;
  /** The content blocks by id, as the renderer builds them. */
  blocks: { [id: string]: unknown };
}

export interface InitOptions {
  /** A compiled config (`trailmark build`), a JSON config (compiled in the page by the tools chunk), or the URL of either. */
  config?: CompiledConfig | Config | string;
  /** Where to fetch `trailmark_core_bg.wasm` from (defaults to beside the module). */
  wasm?: string | URL;
  /**
   * Automatic page views (default true): on start, on back/forward-cache restores, and on
   * route changes (history.pushState/replaceState, popstate, hashchange) to a URL not just recorded.
   */
  autoPage?: boolean;
  /** Translate a GA4 `dataLayer` and/or Shopify Web Pixel messages into Trailmark events (default none). */
  adapters?: Adapter[];
}

/** Starts Trailmark once; later calls return the same API. */
export declare function init(options?: InitOptions): Trailmark;

declare global {
  interface Window {
    /** Before the loader runs: a command queue. After: the API. */
    trailmark: Trailmark | Command[];
  }
  interface DocumentEventMap {
    /** A block was viewed (a slot's block half visible for a second; an overlay opening). */
    "trailmark:show": CustomEvent<OutcomeDetail>;
    /** A link or button in a block was clicked. */
    "trailmark:click": CustomEvent<OutcomeDetail>;
    /** The shopper dismissed a block (a `dismiss` action, the close button, Esc). */
    "trailmark:dismiss": CustomEvent<OutcomeDetail>;
    /** The shopper accepted an offer (an `accept` action). */
    "trailmark:accept": CustomEvent<OutcomeDetail>;
  }
}
