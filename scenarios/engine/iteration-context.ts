/**
 * What a scenario hands the iterations it runs (its name, tags, env, sample sink, error and warning hooks, data sets)
 * and the emitter its steps report samples through: shared by flow.ts (HTTP steps) and ws-step.ts (WebSocket steps).
 */
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { DataRows } from './data-rows.ts';
import type { MetricDef, Sample, SampleSink, Tags } from './metrics/types.ts';
import type { Vu } from './vu.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

/** What a scenario gives the iterations it runs. */
export interface IterationContext {
  /** Scenario name (tag `scenario`); `''` for setup. */
  scenario: string;
  /** Tags on every sample of the scenario (global tags, scenario tags, `scenario`). */
  tags: Readonly<Record<string, string>>;
  /** Scenario `env`. */
  env: Readonly<Record<string, string>>;
  /** Where samples go. */
  sink: SampleSink;
  /** Called with an iteration's exception (it is counted and logged, not fatal). */
  onError(err: unknown, vu: Vu): void;
  /** Called with a warning k6 would log (a redirect chain stopped at the default limit), once per step. */
  onWarning?(message: string): void;
  /**
   * The setup flow: no `iterations`/`iteration_duration` samples, and a request without a response or a missing
   * extract value is an exception (k6 setup failures end the run with exit 107).
   */
  setup?: boolean;
  /** The run's data sets, read by `{{data.<set>.<column>}}`. */
  data?: DataRows;
  /** k6's `noCookiesReset`: the VU keeps its cookies across iterations (default: a new, empty jar each iteration). */
  noCookiesReset?: boolean;
}

/** Epoch milliseconds (fractional) of a performance.now() reading. */
export function epochOf(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

/**
 * Emits samples with one reused object: the SampleSink contract forbids keeping a sample beyond `add`, so one
 * allocation per run instead of one per sample.
 */
export class Emitter {
  readonly #sink: SampleSink;
  readonly #sample: { metric: MetricDef; time: number; value: number; tags: Tags };

  /** @param sink where samples go */
  constructor(sink: SampleSink) {
    this.#sink = sink;
    this.#sample = { metric: M.iterations!, time: 0, value: 0, tags: {} };
  }

  /**
   * Emits one sample.
   * @param metric metric definition
   * @param value value (ms, bytes, 0/1, count)
   * @param tags tags (not copied: must not be mutated afterwards)
   * @param time epoch ms
   */
  emit(metric: MetricDef, value: number, tags: Tags, time: number): void {
    const s = this.#sample;
    s.metric = metric;
    s.value = value;
    s.tags = tags;
    s.time = time;
    this.#sink.add(s as Sample);
  }
}
