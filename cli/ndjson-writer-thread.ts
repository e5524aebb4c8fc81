/**
 * The NDJSON writer thread of `caplab run -o json=F[.gz]`: formats the run's sample batches into k6 lines, compresses
 * them when the file ends in .gz, and writes them, in the order they were sent, on a core of its own rather than on
 * the VUs' event loop. See ndjson-writer-protocol.ts.
 */
import { closeSync, createWriteStream, openSync, readSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createGzip } from 'node:zlib';
import { createBatchFormatter } from '../scenarios/engine/outputs/ndjson-format.ts';
import type { FromWriter, ToWriter, WriterInit } from './ndjson-writer-protocol.ts';

const port = parentPort!;
const init = workerData as WriterInit;
const post = (m: FromWriter): void => port.postMessage(m);
const formatter = createBatchFormatter(init.thresholds);
const file = createWriteStream(init.path);
const gzip = init.gzipLevel === null ? undefined : createGzip({ level: init.gzipLevel });
if (gzip) gzip.pipe(file);
const sink: Writable = gzip ?? file;
let failure: Error | undefined;
// Settles once, on the first stream error, so a write waiting for 'drain' never waits forever.
const failed = new Promise<void>((resolve) => {
  for (const s of [file, gzip]) s?.on('error', (err: Error) => {
    failure ??= err;
    resolve();
  });
});
let spoolFd: number | undefined;

async function write(text: Buffer): Promise<void> {
  if (failure) throw failure;
  if (text.length > 0 && !sink.write(text)) await Promise.race([new Promise((resolve) => sink.once('drain', resolve)), failed]);
  if (failure) throw failure;
}

function readSpool(offset: number, length: number): Uint8Array {
  spoolFd ??= openSync(init.spoolPath, 'r');
  const buf = new Uint8Array(new ArrayBuffer(length));
  for (let got = 0; got < length;) {
    const n = readSync(spoolFd, buf, got, length - got, offset + got);
    if (n === 0) throw new Error(`spool file ${init.spoolPath} ends before byte ${offset + length}`);
    got += n;
  }
  return buf;
}

async function handle(m: ToWriter): Promise<void> {
  switch (m.type) {
    case 'batch':
      await write(formatter.format(m.batch));
      post({ type: 'ack', bytes: m.batch.byteLength });
      break;
    case 'spooled':
      await write(formatter.format(readSpool(m.offset, m.length)));
      break;
    case 'close': {
      if (spoolFd !== undefined) closeSync(spoolFd);
      spoolFd = undefined;
      // A file that already failed (disk full after the last write) emits no further events: do not wait for one.
      if (failure) throw failure;
      sink.end();
      await Promise.race([finished(file), failed]);
      if (failure) throw failure;
      post({ type: 'closed', points: formatter.points });
      break;
    }
  }
}

const queue: ToWriter[] = [];
let busy = false;
async function pump(): Promise<void> {
  busy = true;
  try {
    while (queue.length > 0) await handle(queue.shift()!);
  } catch (err) {
    queue.length = 0;
    post({ type: 'failed', message: (err as Error).message });
    port.close();
  }
  busy = false;
}
port.on('message', (m: ToWriter) => {
  queue.push(m);
  if (!busy) void pump();
});
