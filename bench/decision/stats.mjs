// Order statistics and number formatting for the report.

/** The q-quantile (0..1) of `xs`, linear between order statistics (q = 0.5 is the median). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

export const median = (xs) => quantile(xs, 0.5);

/** `{ median, p25, p75, min, max, n }` of `xs`. */
export function summary(xs) {
  return { median: median(xs), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** 12345.6 -> "12,346". */
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");

/** 1.234 -> "1.23x". */
export const ratio = (n) => (Number.isFinite(n) ? n.toFixed(2) + "x" : "-");

/** Bytes -> MiB with two decimals. */
export const mib = (n) => (n / 1048576).toFixed(2);

/**
 * Aligned plain-text columns; `align` has one letter per column, "l" or "r" (default: the first
 * column left, the others right).
 */
export function table(header, rows, align = "l" + "r".repeat(header.length - 1)) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const cell = (c, i) => (align[i] === "l" ? c.padEnd(widths[i]) : c.padStart(widths[i]));
  return all.map((r) => r.map(cell).join("  ").trimEnd()).join("\n");
}
