/**
 * Execution segments and segment sequences, as k6 defines them (lib/execution_segment.go): a run can be split over
 * instances, each running the segment (from, to] of the work. Integers (VUs, iterations) are split with k6's striping
 * algorithm, so the instances of a sequence together perform the whole work exactly once, and every instance can
 * number its VUs and iterations test-wide without talking to the others. Rationals are exact (bigint fractions) so
 * thirds never lose a VU.
 */

/** An exact non-negative rational number. */
export interface Rat {
  /** Numerator. */
  n: bigint;
  /** Denominator (> 0). */
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function rat(n: bigint, d: bigint): Rat {
  if (d === 0n) throw new RangeError('rational with zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

const cmp = (a: Rat, b: Rat): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
const sub = (a: Rat, b: Rat): Rat => rat(a.n * b.d - b.n * a.d, a.d * b.d);
const ratString = (r: Rat): string => (r.d === 1n ? `${r.n}` : `${r.n}/${r.d}`);

/**
 * Parses one k6 rational: a fraction `1/3`, a decimal `0.5` or a percentage `50%`.
 * @param text the value
 * @returns the exact rational
 * @throws {Error} naming the value when it is none of these
 */
export function parseRat(text: string): Rat {
  const s = text.trim();
  let m = /^(\d+)%$/.exec(s);
  if (m) return rat(BigInt(m[1]!), 100n);
  m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) {
    if (BigInt(m[2]!) === 0n) throw new Error(`'${text}' has a zero denominator`);
    return rat(BigInt(m[1]!), BigInt(m[2]!));
  }
  m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (m) {
    const frac = m[2] ?? '';
    return rat(BigInt(m[1]! + frac), 10n ** BigInt(frac.length));
  }
  throw new Error(`'${text}' is not a valid percentage, decimal, fraction or interval value`);
}

/** The segment (from, to] of the whole work, 0 <= from < to <= 1. */
export interface ExecutionSegment {
  /** Start (exclusive). */
  from: Rat;
  /** End (inclusive). */
  to: Rat;
}

function segment(from: Rat, to: Rat): ExecutionSegment {
  if (from.n < 0n) throw new Error(`segment start value should be at least 0 but was ${ratString(from)}`);
  if (cmp(from, to) >= 0) throw new Error(`segment start (${ratString(from)}) should be less than its end (${ratString(to)})`);
  if (cmp(to, rat(1n, 1n)) > 0) throw new Error(`segment end value shouldn't be more than 1 but was ${ratString(to)}`);
  return { from, to };
}

/**
 * Parses `--execution-segment` as k6 does: `a:b` is the segment (a, b]; a single value `b` is (0, b]; empty is 0:1.
 * @param text e.g. `0:1/2`, `1/3:2/3`, `50%:75%`, `0.25`
 * @returns the segment
 * @throws {Error} when malformed or not 0 <= from < to <= 1
 */
export function parseExecutionSegment(text: string): ExecutionSegment {
  const s = text.trim() === '' ? '1' : text.trim();
  const [a, b] = s.includes(':') ? s.split(':', 2) as [string, string] : ['0', s];
  return segment(parseRat(a), parseRat(b));
}

/**
 * Parses `--execution-segment-sequence` as k6 does: `r1,r2,...,rn` is the segments (r1,r2], (r2,r3], ...
 * @param text e.g. `0,1/3,2/3,1`
 * @returns the segments in order
 * @throws {Error} when fewer than 2 points or a segment is invalid
 */
export function parseExecutionSegmentSequence(text: string): ExecutionSegment[] {
  if (text.trim() === '') return [];
  const points = text.split(',').map(parseRat);
  if (points.length < 2) throw new Error(`at least 2 points are needed for an execution segment sequence, ${points.length} given`);
  const out: ExecutionSegment[] = [];
  for (let i = 1; i < points.length; i++) out.push(segment(points[i - 1]!, points[i]!));
  return out;
}

/** Formats a segment as k6 does (`1/3:2/3`). */
export function formatSegment(s: ExecutionSegment): string {
  return `${ratString(s.from)}:${ratString(s.to)}`;
}

/**
 * One instance's share of the work: its segment within a full sequence, with k6's striped offsets precomputed.
 * Everything an executor needs to scale integers and to number VUs and iterations test-wide.
 */
export interface ExecutionTuple {
  /** This instance's segment. */
  readonly segment: ExecutionSegment;
  /** The full sequence (covers 0..1) the segment belongs to. */
  readonly sequence: readonly ExecutionSegment[];
  /** Index of the segment in the sequence. */
  readonly index: number;
  /** Least common denominator of the segment lengths: the striping period. */
  readonly lcd: number;
  /** First element (0-based) of each period that belongs to this segment. */
  readonly start: number;
  /** Gaps between this segment's consecutive elements, cyclic over one period. */
  readonly offsets: readonly number[];
  /**
   * This segment's share of an integer `value` (VUs, iterations): the number of the first `value` elements that fall
   * in this segment's stripe. The shares of all segments of the sequence sum to `value`, and grow monotonically.
   */
  scale(value: number): number;
  /**
   * The 0-based index in the whole test of this segment's k-th element (k 0-based): for VU and iteration numbers
   * that are unique across instances.
   */
  unscaledIndex(k: number): number;
}

/**
 * Builds the tuple for `segment` within `sequence` (gaps filled with the missing pieces, as k6's
 * GetFilledExecutionSegmentSequence does), using k6's striping algorithm so that every instance of the sequence
 * gets exactly the elements k6 would give it.
 * @param segment this instance's segment (default 0:1)
 * @param sequence the sequence (default: just the segment, filled around)
 * @returns the tuple
 * @throws {Error} when the sequence has gaps or overlaps, or does not contain the segment
 */
export function createExecutionTuple(segment?: ExecutionSegment, sequence: ExecutionSegment[] = []): ExecutionTuple {
  const zero = rat(0n, 1n);
  const one = rat(1n, 1n);
  const seg = segment ?? { from: zero, to: one };
  let seq: ExecutionSegment[] = sequence.length > 0 ? [...sequence] : [seg];
  for (let i = 1; i < seq.length; i++) {
    if (cmp(seq[i]!.from, seq[i - 1]!.to) !== 0) {
      throw new Error(`the start value ${ratString(seq[i]!.from)} of segment #${i} must be equal to the end value of the previous one, but it is ${ratString(seq[i - 1]!.to)}`);
    }
  }
  if (cmp(seq[0]!.from, zero) !== 0) seq = [{ from: zero, to: seq[0]!.from }, ...seq];
  if (cmp(seq[seq.length - 1]!.to, one) !== 0) seq = [...seq, { from: seq[seq.length - 1]!.to, to: one }];
  const index = seq.findIndex((s) => cmp(s.from, seg.from) === 0 && cmp(s.to, seg.to) === 0);
  if (index < 0) throw new Error(`couldn't find segment ${formatSegment(seg)} in sequence ${seq.map(formatSegment).join(',')}`);

  const lengths = seq.map((s) => sub(s.to, s.from));
  let lcdBig = 1n;
  for (const l of lengths) lcdBig = (lcdBig * l.d) / gcd(lcdBig, l.d);
  if (lcdBig > 10_000_000n) throw new Error(`execution segment sequence is too fine-grained (period ${lcdBig})`);
  const lcd = Number(lcdBig);
  // Numerators over the common denominator, biggest segment first (stable): k6 lets the biggest pick first so that
  // no segment is handed consecutive elements when it can be avoided.
  const norm = lengths.map((l, i) => ({ num: Number(l.n * (lcdBig / l.d)), index: i }));
  const sorted = [...norm].sort((a, b) => b.num - a.num);
  const chosen = new Array<number>(seq.length).fill(0);
  const members: number[][] = seq.map(() => []);
  for (let i = 0; i < lcd; i++) {
    for (let s = 0; s < sorted.length; s++) {
      const num = chosen[s]! * lcd;
      const den = sorted[s]!.num;
      if (den === 0) continue;
      const q = Math.floor(num / den);
      if (i > q || (i === q && num % den === 0)) {
        chosen[s]!++;
        members[sorted[s]!.index]!.push(i);
        break;
      }
    }
  }
  const mine = members[index]!;
  const start = mine[0]!;
  const offsets = mine.map((v, k) => (k + 1 < mine.length ? mine[k + 1]! - v : start + lcd - v));
  const single = seq.length === 1;
  return {
    segment: seg,
    sequence: seq,
    index,
    lcd,
    start,
    offsets,
    scale(value: number): number {
      if (single) return value;
      const whole = Math.floor(value / lcd) * mine.length;
      const rest = value % lcd;
      let extra = 0;
      while (extra < mine.length && mine[extra]! < rest) extra++;
      return whole + extra;
    },
    unscaledIndex(k: number): number {
      if (single) return k;
      return Math.floor(k / mine.length) * lcd + mine[k % mine.length]!;
    },
  };
}
