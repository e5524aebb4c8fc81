/**
 * k6's `--out json` output on a stream, in the calling thread: samples are packed into batches
 * (sample-batch.ts), formatted into k6 lines (ndjson-format.ts) and written with the stream's flow control. Nothing
 * is ever dropped: while the stream is full, text waits in memory (callers that can wait await `drained()` when
 * `congested`). `caplab run` uses the threaded writer instead (cli/ndjson-writer.ts), which formats and compresses off
 * the VUs' event loop and spools to disk, so memory stays bounded; this one serves tests, the k6 stand-in and tools.
 */
import type { SampleSink, ThresholdSpec } from '../metrics/types.ts';
import { createBatchFormatter } from './ndjson-format.ts';
import { createSampleBatcher } from './sample-batch.ts';

/** Options of {@link createNdjsonOutput}. */
export interface NdjsonOutputOptions {
  /** Thresholds by metric key, listed in Metric lines as k6 does (`thresholds`, `submetrics`). */
  thresholds?: Record<string, ThresholdSpec[]>;
  /** Samples per batch, i.e. per write (default 1,024). */
  batchSize?: number;
  /** Whether close() ends the stream (default true; pass false for process.stdout). */
  end?: boolean;
  /** How often a partial batch is written, ms, so `tail -f` sees progress (default 200; 0 = only when full). */
  flushIntervalMs?: number;
}

/** An NDJSON output: a sample sink that also takes batches packed elsewhere, with flow control and a close that reports failures. */
export interface NdjsonOutput extends SampleSink {
  /**
   * Adds a batch packed by another producer (a `--workers` thread) with its own source number.
   * @param batch the batch's bytes
   * @throws {Error} when the bytes are not a batch
   */
  addBatch(batch: ArrayBuffer | Uint8Array): void;
  /** Point lines written (or waiting to be) so far. */
  readonly points: number;
  /** True while the stream is congested (text waits in memory). */
  readonly congested: boolean;
  /** Resolves when nothing waits in memory any more. */
  drained(): Promise<void>;
  /**
   * Writes everything, ends the stream (unless `end: false`) and waits for it to finish.
   * @throws {Error} when the stream failed
   */
  close(): Promise<void>;
}

/**
 * Creates a k6 `--out json` writer over a stream (a file, a gzip stream, stdout).
 * @param out destination stream (compression, if any, is the caller's: pipe a zlib gzip stream in between)
 * @param opts thresholds for Metric lines, batching
 * @returns the output: add() samples, then await close()
 * @example const o = createNdjsonOutput(createWriteStream('points.ndjson')); o.add(sample); await o.close();
 */
export function createNdjsonOutput(out: NodeJS.WritableStream, opts: NdjsonOutputOptions = {}): NdjsonOutput {
  const formatter = createBatchFormatter(opts.thresholds ?? {});
  let waiting = false;
  let failure: Error | undefined;
  let drainWaiters: (() => void)[] = [];
  const wake = (): void => { for (const w of drainWaiters.splice(0)) w(); };
  out.on('error', (err: Error) => {
    failure ??= err;
    waiting = false;
    wake();
  });
  const write = (batch: ArrayBuffer | Uint8Array): void => {
    if (failure) return;
    const text = formatter.format(batch);
    if (text.length > 0 && !out.write(text) && !waiting) {
      waiting = true;
      out.once('drain', () => {
        waiting = false;
        wake();
      });
    }
  };
  const batcher = createSampleBatcher(write, { batchSize: opts.batchSize ?? 1024 });
  let external = 0;
  const interval = opts.flushIntervalMs ?? 200;
  const timer = interval > 0 ? setInterval(() => batcher.flush(), interval) : undefined;
  timer?.unref();

  return {
    add: (sample) => batcher.add(sample),
    addBatch(batch) {
      const before = formatter.points;
      write(batch);
      external += formatter.points - before;
    },
    get points() {
      return batcher.points + external;
    },
    get congested() {
      return waiting;
    },
    drained() {
      if (!waiting) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    async close() {
      if (timer) clearInterval(timer);
      batcher.flush();
      while (waiting && !failure) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (!failure && opts.end !== false) {
        await new Promise<void>((resolve) => {
          out.once('error', () => resolve());
          out.end(() => resolve());
        });
      }
      drainWaiters = [];
      if (failure) throw failure;
    },
  };
}
