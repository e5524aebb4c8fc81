/** Stand-in for k6/metrics: custom metrics record their samples, tagged with the VU's tags, then add()'s own. */
import { currentVuTags, groupPath, standin } from './state.ts';

abstract class Metric {
  /** k6 metric type. */
  abstract readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  /** Metric name. */
  readonly name: string;
  /** Whether values are times (k6 isTime). */
  readonly isTime: boolean;

  /**
   * @param name metric name
   * @param isTime values are times
   */
  constructor(name: string, isTime = false) {
    this.name = name;
    this.isTime = isTime;
  }

  /**
   * Records one sample, tagged with the VU's tags, the given tags (which win) and the current group.
   * @param value number or boolean
   * @param tags extra tags
   */
  add(value: number | boolean, tags: Record<string, string> = {}): void {
    standin.samples.push({ metric: this.name, value: Number(value), tags: { ...currentVuTags(), ...tags, group: groupPath() }, type: this.type, isTime: this.isTime });
  }
}

/** k6 Counter. */
export class Counter extends Metric {
  override readonly type = 'counter';
}
/** k6 Gauge. */
export class Gauge extends Metric {
  override readonly type = 'gauge';
}
/** k6 Rate. */
export class Rate extends Metric {
  override readonly type = 'rate';
}
/** k6 Trend. */
export class Trend extends Metric {
  override readonly type = 'trend';
}
