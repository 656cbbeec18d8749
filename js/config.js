// Configs as the runtime receives them, and the program the core module reads.
//
// A page hands Trailmark either a compiled config (what `trailmark build` writes:
// `{"trailmark": "compiled", "format": 1, "program": "<base64>"}`), which the core module reads
// as it is, or a JSON config (`trailmark.json`), which the tools chunk compiles in the page first
// (slower: one more download and a compile; fine while developing, README "Compiled configs").

/** Whether `config` is a compiled config. */
export const isCompiled = (config) => !!config && typeof config === "object" && config.trailmark === "compiled";

/** The program bytes of a compiled config; throws on anything that is not base64 text. */
export function programOf(compiled) {
  const text = atob(String(compiled.program));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Base64 of `bytes` (to cache a program compiled in the page). */
export function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
