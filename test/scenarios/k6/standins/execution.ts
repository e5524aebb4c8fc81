/**
 * Stand-in for k6/execution: the VU and scenario numbers the runner sets before each call, and the VU's tags as
 * `vu.tags` (k6 >= 0.35) and `vu.metrics.tags` (k6 >= 0.45, the same map). The tag map is the VU's live one
 * (state.ts), so what a script writes persists for the VU's later iterations and tags what it emits, as in k6.
 * `vu.metrics.metadata` is accepted and dropped: k6 does not put metadata in tags.
 */
import { standin, vuTags } from './state.ts';

export default {
  get vu() {
    const tags = vuTags(standin.exec.vu.idInTest);
    return { ...standin.exec.vu, tags, metrics: { tags, metadata: {} as Record<string, string> } };
  },
  get scenario() { return standin.exec.scenario; },
};
