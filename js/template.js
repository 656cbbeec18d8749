// Personal text: formats the pieces a filled template produced (src/template/fill.rs) into the
// string a slot shows with textContent (never as HTML).
//
// The pieces are one flat array, in order, each a kind and its fields:
//   0, text                    text shown as it is (the template's own, a value, an else text)
//   1, number                  Intl.NumberFormat(locale)
//   2, minor, currency         money: minor units / 10^(ISO 4217 digits of currency), shown with
//                              Intl.NumberFormat(locale, {style: "currency", currency})
//   3, number, one, other      one when Intl.PluralRules(locale) selects "one", else other
// e.g. [0, "You're ", 2, 1250, "USD", 0, " away"] -> "You're $12.50 away" (en-US).
//
// formatPieces never throws: a malformed array gives null (the slot keeps what it showed). The
// output is at most MAX_TEXT UTF-16 units (cut at a character boundary, ending with "…").

export const MAX_TEXT = 8192;

// Currencies with 0 and 3 minor digits in ISO 4217, as js/adapters.js records amounts (tested
// on three uppercase letters, so an alternative matches only the whole code). Not Intl's
// digits: for HUF, IDR, COP or IQD, Intl shows fewer decimals than the minor units recorded.
const ZERO = /BIF|CLP|DJF|GNF|ISK|JPY|KMF|KRW|PYG|RWF|UGX|UYI|VND|VUV|XAF|XOF|XPF/;
const THREE = /BHD|IQD|JOD|KWD|LYD|OMR|TND/;

const cache = new Map();

// A formatter for locale (the default locale when the page's is not one Intl accepts), cached.
const get = (Kind, locale, options) => {
  // The currency is "" or three letters, so no two (locale, currency) pairs share a key.
  const key = Kind.name + (options ? options.currency : "") + "|" + locale;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Kind(locale, options);
    } catch (_) {
      f = new Kind(undefined, options);
    }
    cache.set(key, f);
  }
  return f;
};

/** The text of `pieces` (see above) in `locale` (a BCP 47 tag; undefined: the browser's). */
export function formatPieces(pieces, locale) {
  let out = "";
  try {
    for (let i = 0; i < pieces.length && out.length <= MAX_TEXT; ) {
      const kind = pieces[i++];
      let v = pieces[i++];
      if (kind === 0 && typeof v == "string") {
        out += v;
        continue;
      }
      if (typeof v != "number" || !isFinite(v)) return null;
      v += 0; // -0 would show as "-0"
      if (kind === 1) out += get(Intl.NumberFormat, locale).format(v);
      else if (kind === 2) {
        const cur = pieces[i++].toUpperCase();
        out += get(Intl.NumberFormat, locale, { style: "currency", currency: cur })
          .format(v / (ZERO.test(cur) ? 1 : THREE.test(cur) ? 1e3 : 100));
      } else if (kind === 3) {
        const one = pieces[i++], other = pieces[i++];
        if (typeof one != "string" || typeof other != "string") return null;
        out += get(Intl.PluralRules, locale).select(v) == "one" ? one : other;
      } else return null;
    }
  } catch (_) {
    return null;
  }
  if (out.length > MAX_TEXT) {
    out = out.slice(0, MAX_TEXT - 1);
    // Not half of a surrogate pair.
    if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1);
    out += "…";
  }
  return out;
}
