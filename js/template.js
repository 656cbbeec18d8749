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
// The pieces come from the module (numbers finite, texts strings, currency codes three letters):
// formatPieces checks only what would otherwise show garbage or throw. It never throws: an
// unknown kind, a text that is not a string, or a piece Intl refuses gives null (the slot keeps
// what it showed). The output is at most MAX_TEXT UTF-16 units (cut between characters).

export const MAX_TEXT = 8192;

// Currencies with 0 and 3 minor digits in ISO 4217, as js/adapters.js records amounts (tested
// on three uppercase letters, so an alternative matches only the whole code). Not Intl's
// digits: for HUF, IDR, COP or IQD, Intl shows fewer decimals than the minor units recorded.
const ZERO = /BIF|CLP|DJF|GNF|ISK|JPY|KMF|KRW|PYG|RWF|UGX|UYI|VND|VUV|XAF|XOF|XPF/;
const THREE = /BHD|IQD|JOD|KWD|LYD|OMR|TND/;

// An Intl formatter for locale, or for the default locale when Intl refuses the page's
// ("en_US"). Made per piece: a text is filled when a slot renders or its inputs change, rarely
// enough that a cache would cost more bytes than it saves time.
const make = (Kind, locale, options) => {
  try {
    return new Kind(locale, options);
  } catch (_) {
    return new Kind(undefined, options);
  }
};

/** The text of `pieces` (see above) in `locale` (a BCP 47 tag; undefined: the browser's). */
export function formatPieces(pieces, locale) {
  let out = "";
  try {
    for (let i = 0; i < pieces.length && out.length < MAX_TEXT; ) {
      const kind = pieces[i++];
      const v = pieces[i++];
      if (kind === 0 && typeof v == "string") out += v;
      // v + 0: -0 would show as "-0".
      else if (kind === 1) out += make(Intl.NumberFormat, locale).format(v + 0);
      else if (kind === 2) {
        const cur = pieces[i++].toUpperCase();
        out += make(Intl.NumberFormat, locale, { style: "currency", currency: cur })
          .format((v + 0) / (ZERO.test(cur) ? 1 : THREE.test(cur) ? 1e3 : 100));
      } else if (kind === 3) {
        const one = pieces[i++];
        const other = pieces[i++];
        out += make(Intl.PluralRules, locale).select(v) == "one" ? one : other;
      } else return null;
    }
  } catch (_) {
    return null;
  }
  if (out.length > MAX_TEXT) {
    out = out.slice(0, MAX_TEXT);
    // Not half of a surrogate pair.
    if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1);
  }
  return out;
}
