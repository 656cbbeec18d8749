// Shortens the names the wasm module and its wasm-bindgen glue use for each other.
//
// wasm-bindgen names every import `__wbg_<method>_<16 hex digits>`; the hashes are random
// bytes that compress badly, and each appears in both files. binaryen's
// `--minify-imports-and-exports` renames them in the module and prints the mapping (JSON);
// this script applies that mapping to the glue: import-object keys, and `wasm.<export>`
// references. It fails loudly when a name it must rename is missing from the glue, so a
// wasm-bindgen upgrade that changes the glue's shape cannot produce a broken package.
//
// usage: node scripts/minify-names.mjs MAPPING.json MINIFIED.wasm GLUE.js
import { readFileSync, writeFileSync } from "node:fs";

const [mapPath, wasmPath, gluePath] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapPath, "utf8"));
const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath)));
let glue = readFileSync(gluePath, "utf8");

const escape = (s) => s.replace(/[$.*+?^(){}[\]|\\]/g, "\\$&");
const replaceAll = (pattern, to, what) => {
  let count = 0;
  glue = glue.replace(pattern, (...m) => (count++, typeof to === "function" ? to(...m) : to));
  if (count === 0) throw new Error(`minify-names: ${what} not found in ${gluePath}`);
};

// binaryen puts every import in one module; wasm-bindgen's glue has one object per module: its
// own (`"./<name>_bg.js": import0`, functions keyed by name) and, for an inline snippet whose
// functions need no glue (e.g. `() -> bool`), the snippet's namespace (`"./snippets/...":
// import1`). The snippets' functions join the first object under their new names.
const oldModules = [...new Set(map.imports.map(([module]) => module))];
const newModules = [...new Set(imports.map((i) => i.module))];
const main = oldModules.find((m) => m.endsWith("_bg.js"));
const snippets = oldModules.filter((m) => m !== main);
if (newModules.length !== 1 || !main || snippets.some((m) => !m.startsWith("./snippets/"))) {
  throw new Error(`minify-names: expected the glue's module and snippets, then one module, got ${oldModules} -> ${newModules}`);
}
// Imports of the glue's module: keys of its object, `name: function(...)`.
for (const [module, from, to] of map.imports) {
  if (module !== main) continue;
  replaceAll(new RegExp(`(?<![\\w$])${escape(from)}(?=\\s*:)`, "g"), to, `import ${from}`);
}
for (const module of snippets) {
  const key = new RegExp(`\\n\\s*"${escape(module)}": (import\\d+),`);
  const namespace = (glue.match(key) || [])[1];
  if (!namespace) throw new Error(`minify-names: snippet module ${module} not found in ${gluePath}`);
  replaceAll(key, "", `snippet module ${module}`);
  const entries = map.imports.filter(([m]) => m === module).map(([, from, to]) => `${to}: ${namespace}.${from},`);
  replaceAll(/const import0 = \{\n\s*__proto__: null,/, (m) => m + entries.join(""), "the glue's import object");
}
replaceAll(new RegExp(`"${escape(main)}"(?=\\s*:)`, "g"), JSON.stringify(newModules[0]), "module key");
// Exports: the glue reads them off `wasm.` (the instance's exports object).
for (const [from, to] of map.exports) {
  if (!new RegExp(`\\bwasm\\.${escape(from)}\\b`).test(glue)) continue; // not used by the glue
  replaceAll(new RegExp(`\\bwasm\\.${escape(from)}\\b`, "g"), `wasm.${to}`, `export ${from}`);
}
writeFileSync(gluePath, glue);
