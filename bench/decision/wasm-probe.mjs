// An init script that finds a page's WebAssembly memory from outside the library: it wraps
// WebAssembly.instantiate and instantiateStreaming (what wasm-bindgen's glue calls) and keeps
// every WebAssembly.Memory the resulting instances export, in `window.__wasmMemories`. The
// memory's `buffer.byteLength` is the wasm heap the page holds (it only grows).
//
// Serialized into the page: it must not use anything from this module.
export function probeWasmMemory() {
  const memories = [];
  Object.defineProperty(window, "__wasmMemories", { value: memories });
  const keep = (instance) => {
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory && !memories.includes(v)) memories.push(v);
  };
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const real = WebAssembly[name];
    WebAssembly[name] = function () {
      return real.apply(this, arguments).then((result) => {
        keep(result.instance || result);
        return result;
      });
    };
  }
}

/** Bytes of the page's wasm memories (read in the page). */
export const wasmMemoryBytes = () => window.__wasmMemories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
