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
  glue = glue.replace(pattern, () => (count++, to));
  if (count === 0) throw new Error(`minify-names: ${what} not found in ${gluePath}`);
};

// Imports: keys of the object handed to WebAssembly.instantiate, `name: function(...)`.
for (const [, from, to] of map.imports) {
  replaceAll(new RegExp(`(?<![\\w$])${escape(from)}(?=\\s*:)`, "g"), to, `import ${from}`);
}
// Modules: binaryen renames them too but does not list them; wasm-bindgen's glue has one.
const oldModules = [...new Set(map.imports.map(([module]) => module))];
const newModules = [...new Set(imports.map((i) => i.module))];
if (oldModules.length !== 1 || newModules.length !== 1) {
  throw new Error(`minify-names: expected one import module, got ${oldModules} -> ${newModules}`);
}
replaceAll(new RegExp(`"${escape(oldModules[0])}"(?=\\s*:)`, "g"), JSON.stringify(newModules[0]), "module key");
// Exports: the glue reads them off `wasm.` (the instance's exports object).
for (const [from, to] of map.exports) {
  if (!new RegExp(`\\bwasm\\.${escape(from)}\\b`).test(glue)) continue; // not used by the glue
  replaceAll(new RegExp(`\\bwasm\\.${escape(from)}\\b`, "g"), `wasm.${to}`, `export ${from}`);
}
writeFileSync(gluePath, glue);
