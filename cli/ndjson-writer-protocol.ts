/**
 * The messages between `caplab run` and its NDJSON writer thread (cli/ndjson-writer.ts, ndjson-writer-thread.ts).
 * The run sends sample batches (scenarios/engine/outputs/sample-batch.ts), or, while the thread is behind by more than
 * the memory allowed, where in the spool file a batch waits; the thread formats, compresses and writes them in order,
 * acknowledging each so the run knows how much is still in flight.
 */
import type { ThresholdSpec } from '../scenarios/engine/metrics/types.ts';

/** What the writer thread starts with (its workerData). */
export interface WriterInit {
  /** The file to write (a temp name; the run renames it when the output is complete). */
  path: string;
  /** gzip level 1-9, or null for plain text. */
  gzipLevel: number | null;
  /** Thresholds by metric key, for the Metric lines. */
  thresholds: Record<string, ThresholdSpec[]>;
  /** The spool file batches may wait in. */
  spoolPath: string;
}

/** Run to writer. */
export type ToWriter =
  | { type: 'batch'; batch: ArrayBuffer }
  | { type: 'spooled'; offset: number; length: number }
  | { type: 'close' };

/** Writer to run. */
export type FromWriter =
  | { type: 'ack'; bytes: number }
  | { type: 'closed'; points: number }
  | { type: 'failed'; message: string };
