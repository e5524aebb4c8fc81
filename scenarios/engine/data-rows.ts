/**
 * Which row of each data set an iteration reads (`{{data.<set>.<column>}}`), the same way in the engine and in the
 * generated k6 script (runtime-js.ts caplabDataRow): `vu` picks row (vu - 1) mod rows (setup, VU 0, reads row 0),
 * `iteration` row iteration mod rows (the test-wide iteration number, unique across execution segments), `random` a
 * row from the engine's counter-based hash of (seed, set) and the iteration, so a run is reproducible and every
 * runner picks the same rows.
 */
import { hash32, streamKey, toUnit } from '../../models/random.ts';
import { type PackedRows, type Rows, rowsOf } from '../data-files.ts';
import type { DataSet } from '../spec-files.ts';

/**
 * The seeded key of a set's random picks.
 * @param seed the set's seed, else the run's
 * @param set the set's name
 * @returns the key hashed with the iteration number
 */
export function dataPickKey(seed: number, set: string): number {
  return streamKey(seed, `data:${set}`);
}

/**
 * The row index a pick gives.
 * @param pick the set's pick
 * @param count rows in the set (> 0)
 * @param key {@link dataPickKey} of the set
 * @param iteration test-wide iteration number
 * @param vu test-wide VU number (0 for setup)
 * @returns 0-based row index
 */
export function dataRowIndex(pick: DataSet['pick'], count: number, key: number, iteration: number, vu: number): number {
  if (pick === 'vu') return vu === 0 ? 0 : (vu - 1) % count;
  if (pick === 'iteration') return iteration % count;
  return Math.min(count - 1, Math.floor(toUnit(hash32(key, iteration)) * count));
}

/** The data sets of a run, as templates read them. */
export interface DataRows {
  /**
   * The row of `set` for an iteration, or undefined when the run has no such set.
   * @param set set name
   * @param iteration test-wide iteration number
   * @param vu test-wide VU number
   */
  row(set: string, iteration: number, vu: number): Readonly<Record<string, unknown>> | undefined;
}

/**
 * The data rows of a run.
 * @param sets the spec's `data.sets`
 * @param packed each set's rows (handed in by the CLI)
 * @param seed the run's seed (for sets without their own)
 * @returns the reader
 * @throws {Error} when a declared set's rows were not handed in (a caller's bug: the CLI reads every set)
 */
export function dataRowsOf(sets: Readonly<Record<string, DataSet>>, packed: Readonly<Record<string, PackedRows>>, seed: number): DataRows {
  const by = new Map<string, { pick: DataSet['pick']; key: number; rows: Rows }>();
  for (const [name, set] of Object.entries(sets)) {
    const p = packed[name];
    if (p === undefined) throw new Error(`dataRowsOf: the rows of data set "${name}" (${set.file}) were not handed in`);
    by.set(name, { pick: set.pick, key: dataPickKey(set.seed ?? seed, name), rows: rowsOf(p) });
  }
  return {
    row(set, iteration, vu) {
      const d = by.get(set);
      if (d === undefined || d.rows.count === 0) return undefined;
      return d.rows.get(dataRowIndex(d.pick, d.rows.count, d.key, iteration, vu));
    },
  };
}
