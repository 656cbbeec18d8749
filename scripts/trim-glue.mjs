// Trims the core module's wasm-bindgen glue of what Trailmark never uses: `initSync` (the module is always
// instantiated asynchronously, streaming where the server allows it) and the branches that
// accept the deprecated positional parameters of the init functions (Trailmark always passes
// `{ module_or_path }` or nothing); and it words the MIME-type warning as Trailmark's. About
// 150 brotli bytes on the core path. Like
// minify-names.mjs it fails loudly when the glue's shape changed, so a wasm-bindgen upgrade
// cannot ship a broken package.
//
// usage: node scripts/trim-glue.mjs GLUE.js
import { readFileSync, writeFileSync } from "node:fs";

const path = process.argv[2];
let glue = readFileSync(path, "utf8");
const cut = (pattern, to, what) => {
  let count = 0;
  glue = glue.replace(pattern, (...m) => (count++, typeof to === "function" ? to(...m) : to));
  if (count !== 1) throw new Error(`trim-glue: ${what} found ${count} times in ${path}, expected once`);
};

cut(/\nfunction initSync\(module\) \{[\s\S]*?\n\}\n/, "\n", "function initSync");
cut(/export \{ initSync, __wbg_init as default \};/, "export { __wbg_init as default };", "the export list");
cut(
  /if \(module_or_path !== undefined\) \{\s*if \(Object\.getPrototypeOf\(module_or_path\) === Object\.prototype\) \{\s*\(\{module_or_path\} = module_or_path\)\s*\} else \{\s*console\.warn\([^)]*\)\s*\}\s*\}/,
  "if (module_or_path !== undefined) ({module_or_path} = module_or_path);",
  "the deprecated-parameters branch of init",
);
// The message of a server that does not send .wasm as application/wasm: Trailmark's own words,
// shorter (the glue then instantiates from the bytes, as before).
cut(
  /console\.warn\("`WebAssembly\.instantiateStreaming` failed because your server does not serve Wasm with `application\/wasm` MIME type\. Falling back to `WebAssembly\.instantiate` which is slower\. Original error:\\n", e\);/,
  'console.warn("[trailmark] serve .wasm files as application/wasm (compiled from the whole download instead, slower):", e);',
  "the MIME-type warning",
);
writeFileSync(path, glue);
