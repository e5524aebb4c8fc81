/**
 * The JSONPath subset that `extract` and custom metrics use: `$`, `.key`, `['key']`, `[index]`. Compiled once.
 */

/**
 * Compiles a JSONPath-like expression.
 * @param path e.g. `$.token`, `$.items[0].id`, `$['odd key']`
 * @returns a function reading the value from a parsed JSON document (undefined when absent)
 * @throws {Error} naming the path when it is not in the supported subset
 * @example compileJsonPath('$.a[1].b')({ a: [0, { b: 7 }] }) // 7
 */
export function compileJsonPath(path: string): (doc: unknown) => unknown {
  if (!path.startsWith('$')) throw new Error(`"${path}" is not a JSONPath (it must start with $)`);
  const keys: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new Error(`"${path}" is not a supported JSONPath ($.key, [index], ['key'])`);
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return (doc) => {
    let v: unknown = doc;
    for (const k of keys) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[k];
    }
    return v;
  };
}
