/**
 * Loads HiGHS (the `highs` package: the solver compiled to WebAssembly, its .wasm shipped in the package, nothing
 * downloaded) for the placement optimizer. The package's types describe a CommonJS module while Node's `import`
 * resolves its ES build, whose default export is the loader itself: this takes the loader from either shape.
 */
import * as highsModule from 'highs';
import type { Highs } from 'highs';

type Loader = () => Promise<Highs>;

let loaded: Promise<Highs> | undefined;

/**
 * The solver, loaded once per process.
 * @returns a HiGHS instance
 * @throws {Error} when the WebAssembly module cannot be loaded
 */
export function loadHighs(): Promise<Highs> {
  if (!loaded) {
    const m = highsModule as unknown as { default: Loader | { default: Loader } };
    const load = typeof m.default === 'function' ? m.default : m.default.default;
    loaded = load();
  }
  return loaded;
}
