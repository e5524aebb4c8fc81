/**
 * A data center's metrics in the Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats): counters, one latency histogram, and gauges read at scrape time. Written to the spec here
 * rather than with prom-client because the stack needs four metric families, no global registry (several stacks
 * share a process in tests), and nothing that runs between scrapes.
 */

/** Content-Type of the exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latency buckets in seconds: 5 ms .. 30 s, covering emulated service times, WAN delays and queueing. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/**
 * Push delivery latency buckets in seconds: 0.25 ms .. 30 s. A real node's deliveries cost a few tenths of a
 * millisecond (data/hardware.json `push.deliveryCpuMs`), below the request buckets' first 5 ms; a scaled probe's
 * reach seconds near saturation.
 */
export const PUSH_LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/**
 * Escapes a label value: backslash, double quote and newline, as the format requires.
 * @param v label value
 * @returns the escaped value (without quotes)
 */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Formats a sample value: integers plainly, infinities as `+Inf`/`-Inf`, NaN as `NaN`.
 * @param v value
 * @returns the text
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Family {
  render(out: string[]): void;
}

/** A monotonically increasing counter with fixed label names. */
export interface Counter {
  /** Adds `by` (default 1) to the series with these label values (in label-name order). */
  inc(values: readonly string[], by?: number): void;
}

/** A cumulative histogram with fixed label names. */
export interface Histogram {
  /** Records one observation (seconds) for the series with these label values. */
  observe(values: readonly string[], v: number): void;
}

/** A set of metric families rendered together. */
export interface Registry {
  /** Adds a counter. */
  counter(name: string, help: string, labels: readonly string[]): Counter;
  /** Adds a histogram with the given upper bounds (ascending, without +Inf). */
  histogram(name: string, help: string, labels: readonly string[], buckets: readonly number[]): Histogram;
  /**
   * Adds a family whose samples are collected at scrape time: a gauge, or a counter kept elsewhere (type `counter`).
   */
  gauge(name: string, help: string, labels: readonly string[], collect: () => Array<[values: string[], value: number]>, type?: 'gauge' | 'counter'): void;
  /** Renders every family in the text format, ending with a newline. */
  render(): string;
}

/**
 * Creates an empty registry.
 * @param constLabels labels added to every sample, e.g. `{dc: 'singapore'}`
 * @returns the registry
 */
export function createRegistry(constLabels: Record<string, string> = {}): Registry {
  const families: Family[] = [];
  const cNames = Object.keys(constLabels);
  const cValues = Object.values(constLabels);
  const header = (out: string[], name: string, help: string, type: string): void => {
    out.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
  };
  return {
    counter(name, help, labels) {
      const series = new Map<string, { values: readonly string[]; v: number }>();
      const names = [...cNames, ...labels];
      families.push({
        render(out) {
          header(out, name, help, 'counter');
          for (const s of series.values()) out.push(`${name}${labelText(names, [...cValues, ...s.values])} ${formatValue(s.v)}`);
        },
      });
      return {
        inc(values, by = 1) {
          const key = values.join('\u0000');
          const s = series.get(key);
          if (s) s.v += by;
          else series.set(key, { values: [...values], v: by });
        },
      };
    },
    histogram(name, help, labels, buckets) {
      const series = new Map<string, { values: readonly string[]; counts: number[]; sum: number; count: number }>();
      const names = [...cNames, ...labels];
      families.push({
        render(out) {
          header(out, name, help, 'histogram');
          for (const s of series.values()) {
            const lv = [...cValues, ...s.values];
            let cum = 0;
            buckets.forEach((le, i) => {
              cum += s.counts[i]!;
              out.push(`${name}_bucket${labelText(names, lv, ['le', formatValue(le)])} ${cum}`);
            });
            out.push(`${name}_bucket${labelText(names, lv, ['le', '+Inf'])} ${s.count}`);
            out.push(`${name}_sum${labelText(names, lv)} ${formatValue(s.sum)}`);
            out.push(`${name}_count${labelText(names, lv)} ${s.count}`);
          }
        },
      });
      return {
        observe(values, v) {
          const key = values.join('\u0000');
          let s = series.get(key);
          if (!s) {
            s = { values: [...values], counts: buckets.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          const i = buckets.findIndex((le) => v <= le);
          if (i >= 0) s.counts[i]!++;
          s.sum += v;
          s.count++;
        },
      };
    },
    gauge(name, help, labels, collect, type = 'gauge') {
      const names = [...cNames, ...labels];
      families.push({
        render(out) {
          header(out, name, help, type);
          for (const [values, v] of collect()) out.push(`${name}${labelText(names, [...cValues, ...values])} ${formatValue(v)}`);
        },
      });
    },
    render() {
      const out: string[] = [];
      for (const f of families) f.render(out);
      return `${out.join('\n')}\n`;
    },
  };
}
