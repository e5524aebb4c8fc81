/**
 * Stand-in for k6/execution with VU-wide tags, for wrappers (scenarios/k6/wrapper.ts): the numbers the runner sets
 * (standins/state.ts) plus `vu.metrics.tags` (k6 >= 0.45) and `vu.tags` (the older name, the same map). As in k6, a
 * VU's tags persist across its iterations, and http.ts adds them to every request the VU makes.
 */
import { standin } from '../standins/state.ts';

type TagValue = string | number | boolean;

const byVu = new Map<number, Record<string, TagValue>>();

/**
 * The tag map of a VU (created empty on first use).
 * @param vu test-wide VU id
 * @returns the live map the script writes into
 */
export function vuTags(vu: number): Record<string, TagValue> {
  let tags = byVu.get(vu);
  if (!tags) byVu.set(vu, (tags = {}));
  return tags;
}

/** Forgets every VU's tags (a new run). */
export function resetVuTags(): void {
  byVu.clear();
}

export default {
  get vu() {
    const tags = vuTags(standin.exec.vu.idInTest);
    return { ...standin.exec.vu, tags, metrics: { tags, metadata: {} } };
  },
  get scenario() { return standin.exec.scenario; },
};
