/**
 * A sink that passes every sample to several sinks (the metrics registry and the NDJSON output), in order.
 */
import type { Sample, SampleSink } from './metrics/types.ts';

/**
 * Creates a tee over sinks.
 * @param sinks destinations, called in order for each sample
 * @returns one sink (the only sink itself when there is one)
 * @example const sink = tee(registry, ndjson)
 */
export function tee(...sinks: SampleSink[]): SampleSink {
  if (sinks.length === 1) return sinks[0]!;
  return {
    add(sample: Sample): void {
      for (const s of sinks) s.add(sample);
    },
  };
}
