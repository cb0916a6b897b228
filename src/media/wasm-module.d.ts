/** A .wasm import, as wrangler (and vitest-pool-workers) bundle it: a compiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
