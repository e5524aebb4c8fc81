/**
 * `caplab run -o json=F[.gz]`: k6's `--out json` output written by a thread of its own. The VUs' event loop only packs
 * samples into batches (scenarios/engine/outputs/sample-batch.ts); the writer thread formats, compresses and writes
 * them (ndjson-writer-thread.ts). Like k6's outputs it never drops a sample and never slows or fails the run because
 * it is behind: while more than `maxMemoryBytes` of batches are in flight, further batches go to a spool file beside
 * the output (sequential disk writes of ~24 bytes a sample) and the thread reads them back in order. The file appears
 * under its name only when complete; the run's end waits for the thread to catch up.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SampleSink, ThresholdSpec } from '../scenarios/engine/metrics/types.ts';
import { batchSampleCount, createSampleBatcher } from '../scenarios/engine/outputs/sample-batch.ts';
import { tempName } from './io.ts';
import type { FromWriter, ToWriter, WriterInit } from './ndjson-writer-protocol.ts';

const ENTRY = new URL('./ndjson-writer-entry.js', import.meta.url);

/** Options of {@link openNdjsonFile}. */
export interface NdjsonFileOptions {
  /** Thresholds by metric key, for the Metric lines. */
  thresholds?: Record<string, ThresholdSpec[]>;
  /** gzip level for a `.gz` path (1-9). */
  gzipLevel: number;
  /** Bytes of batches in flight to the thread before further ones are spooled to disk. */
  maxMemoryBytes: number;
  /** How often a partial batch is sent, ms, so `tail -f` sees progress. */
  flushIntervalMs: number;
}

/** The output: a sample sink that also takes `--workers` threads' batches. */
export interface NdjsonFile extends SampleSink {
  /** Adds a batch packed by a `--workers` thread (its own source number). */
  addBatch(batch: ArrayBuffer): void;
  /** Samples taken so far. */
  readonly points: number;
  /** Bytes spooled to disk so far (0 when the thread kept up). */
  readonly spooledBytes: number;
  /**
   * Waits for the thread to write everything, then gives the file its name.
   * @returns the Point lines written
   * @throws {Error} when the file could not be written (the temp file is removed)
   */
  finish(): Promise<number>;
  /** Stops the thread and removes what it wrote; the target is untouched. */
  abort(): Promise<void>;
}

/**
 * Starts the writer thread for one NDJSON file.
 * @param path the file (`.gz`: gzip-compressed)
 * @param opts thresholds, gzip level, memory bound, flush interval
 * @returns the output
 * @throws {Error} when the file's directory cannot be made
 */
export async function openNdjsonFile(path: string, opts: NdjsonFileOptions): Promise<NdjsonFile> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  const init: WriterInit = { path: tmp, gzipLevel: /\.gz$/i.test(path) ? opts.gzipLevel : null, thresholds: opts.thresholds ?? {}, spoolPath: `${tmp}.spool` };
  const worker = new Worker(ENTRY, { workerData: init });
  let failure: Error | undefined;
  let closed: ((points: number) => void) | undefined;
  let inFlight = 0;
  let spoolFd: number | undefined;
  let spooled = 0;
  let external = 0;
  let settled = false;
  const done = new Promise<number>((resolve) => { closed = resolve; });
  const settle = (points: number): void => {
    settled = true;
    closed?.(points);
  };
  const fail = (message: string): void => {
    if (settled) return;
    failure ??= new Error(message);
    settle(-1);
  };
  worker.on('message', (m: FromWriter) => {
    if (m.type === 'ack') inFlight -= m.bytes;
    else if (m.type === 'closed') settle(m.points);
    else fail(m.message);
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => fail(`the writer thread exited (code ${code}) before it finished`));
  const post = (m: ToWriter, transfer?: ArrayBuffer[]): void => worker.postMessage(m, transfer);

  const send = (batch: ArrayBuffer): void => {
    if (failure) return;
    if (inFlight + batch.byteLength <= opts.maxMemoryBytes && spooled === 0) {
      inFlight += batch.byteLength;
      post({ type: 'batch', batch }, [batch]);
      return;
    }
    // Behind: keep order by spooling this and every later batch; the thread reads them back in turn.
    try {
      spoolFd ??= openSync(init.spoolPath, 'w');
      const bytes = new Uint8Array(batch);
      for (let off = 0; off < bytes.length;) off += writeSync(spoolFd, bytes, off, bytes.length - off, spooled + off);
      post({ type: 'spooled', offset: spooled, length: bytes.length });
      spooled += bytes.length;
    } catch (err) {
      fail(`cannot spool to ${init.spoolPath}: ${(err as Error).message}`);
    }
  };
  const batcher = createSampleBatcher(send);
  const timer = setInterval(() => batcher.flush(), opts.flushIntervalMs);
  timer.unref();
  const cleanup = async (): Promise<void> => {
    clearInterval(timer);
    if (spoolFd !== undefined) closeSync(spoolFd);
    spoolFd = undefined;
    rmSync(init.spoolPath, { force: true });
  };

  return {
    add: (sample) => batcher.add(sample),
    addBatch(batch) {
      external += batchSampleCount(batch);
      send(batch);
    },
    get points() {
      return batcher.points + external;
    },
    get spooledBytes() {
      return spooled;
    },
    async finish() {
      batcher.flush();
      if (!failure) post({ type: 'close' });
      const points = await done;
      await worker.terminate();
      await cleanup();
      if (failure) {
        await rm(tmp, { force: true });
        throw failure;
      }
      await rename(tmp, path);
      return points;
    },
    async abort() {
      fail('aborted');
      await worker.terminate();
      await cleanup();
      await rm(tmp, { force: true });
    },
  };
}
