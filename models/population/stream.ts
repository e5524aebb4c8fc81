/**
 * Streams users as NDJSON with backpressure: lines are made in batches only when the consumer asks, so memory
 * stays flat however many users are written.
 */
import { Readable } from 'node:stream';
import type { UserRange } from './shard.ts';
import type { UserGenerator } from './user.ts';

/** Options of {@link userStream}. */
export interface UserStreamOptions {
  /** Bytes per chunk (default 1 MiB: few pushes, flat memory). */
  chunkBytes?: number;
  /** Called after each chunk with the number of user indices passed so far in this range. */
  onProgress?: (done: number) => void;
  /** Keeps only the users for which it returns true (e.g. those routed to one DC); indices stay those of the whole run. */
  filter?: (i: number) => boolean;
}

/**
 * A readable byte stream of the users in `range` as NDJSON (UTF-8), in index order.
 * @param gen user generator
 * @param range users [start, end)
 * @param options chunk size and progress callback
 * @returns the stream
 */
export function userStream(gen: UserGenerator, range: UserRange, options: UserStreamOptions = {}): Readable {
  const chunkBytes = Math.max(options.chunkBytes ?? 1 << 20, gen.maxLineBytes);
  let next = range.start;
  return new Readable({
    highWaterMark: chunkBytes,
    read() {
      let more = true;
      while (more && next < range.end) {
        // A fresh buffer per chunk: the consumer may still hold the previous one.
        const buf = Buffer.allocUnsafe(chunkBytes);
        const limit = chunkBytes - gen.maxLineBytes;
        let pos = 0;
        const keep = options.filter;
        if (keep) {
          while (next < range.end && pos <= limit) {
            const i = next++;
            if (keep(i)) pos = gen.write(i, buf, pos);
          }
        } else {
          while (next < range.end && pos <= limit) pos = gen.write(next++, buf, pos);
        }
        // An empty chunk would read as end of stream to some consumers; a filter may skip a whole chunk's users.
        if (pos > 0) more = this.push(buf.subarray(0, pos));
        options.onProgress?.(next - range.start);
      }
      if (next >= range.end) this.push(null);
    },
  });
}
