import { describe, expect, it } from 'vitest';
import { createRegistry, escapeLabel, formatValue } from '../../stacks/metrics.ts';

describe('Prometheus text format', () => {
  it('renders counters, cumulative histograms and gauges with escaped labels', () => {
    const r = createRegistry({ dc: 'sg' });
    const c = r.counter('x_total', 'Things.', ['route']);
    c.inc(['a"b\\c\nd']);
    c.inc(['a"b\\c\nd'], 2);
    const h = r.histogram('lat_seconds', 'Latency.', ['route'], [0.1, 1]);
    for (const v of [0.05, 0.5, 5]) h.observe(['r'], v);
    r.gauge('q', 'Queue.', ['node'], () => [[['0'], 3]]);
    expect(r.render()).toBe([
      '# HELP x_total Things.', '# TYPE x_total counter', 'x_total{dc="sg",route="a\\"b\\\\c\\nd"} 3',
      '# HELP lat_seconds Latency.', '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{dc="sg",route="r",le="0.1"} 1', 'lat_seconds_bucket{dc="sg",route="r",le="1"} 2',
      'lat_seconds_bucket{dc="sg",route="r",le="+Inf"} 3', 'lat_seconds_sum{dc="sg",route="r"} 5.55', 'lat_seconds_count{dc="sg",route="r"} 3',
      '# HELP q Queue.', '# TYPE q gauge', 'q{dc="sg",node="0"} 3', '',
    ].join('\n'));
  });

  it('formats special values as the spec says', () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(1.5)]).toEqual(['+Inf', '-Inf', 'NaN', '1.5']);
    expect(escapeLabel('plain')).toBe('plain');
  });
});
