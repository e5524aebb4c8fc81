/** Stand-in for the `k6` module: check, group and sleep record what the script does. */
import { currentVuTags, groupPath, standin } from './state.ts';

/**
 * k6's check: runs every predicate, records each result under the current group, tagged with the VU's tags and
 * then the check's own `tags` (k6's third argument).
 * @param value what the predicates look at
 * @param sets check name -> predicate
 * @param tags extra tags of the checks' samples
 * @returns whether all passed
 */
export function check<T>(value: T, sets: Record<string, (v: T) => boolean>, tags: Record<string, string> = {}): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    standin.checks.push({ name, ok, group: groupPath(), tags: { ...currentVuTags(), ...tags } });
    all &&= ok;
  }
  return all;
}

/**
 * k6's group: runs fn inside the named group (nested paths `::a::b`).
 * @param name group name
 * @param fn body
 * @returns fn's result
 */
export function group<T>(name: string, fn: () => T): T {
  standin.groupStack.push(name);
  try {
    return fn();
  } finally {
    standin.groupStack.pop();
  }
}

/**
 * k6's sleep: recorded, not waited.
 * @param seconds seconds
 */
export function sleep(seconds: number): void {
  standin.sleeps.push(seconds);
}
