import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { shardRange } from '../../../models/population/shard.ts';
import { userStream } from '../../../models/population/stream.ts';
import { createUserGenerator } from '../../../models/population/user.ts';
import { realPopulation } from '../../helpers/population.ts';

const gen = createUserGenerator(3, await realPopulation(3));

async function collect(start: number, end: number, chunkBytes?: number): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of userStream(gen, { start, end }, { chunkBytes })) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('userStream', () => {
  it('emits exactly the lines of the range, in order, across chunk boundaries', async () => {
    const text = await collect(10, 5010, 4096);
    let expected = '';
    for (let i = 10; i < 5010; i++) expected += gen.line(i);
    expect(text).toBe(expected);
    expect(await collect(7, 7)).toBe('');
  });

  it('shards concatenated in order equal the whole run', async () => {
    const whole = await collect(0, 3001);
    for (const n of [2, 3, 7]) {
      let joined = '';
      for (let k = 1; k <= n; k++) {
        const r = shardRange(3001, k, n);
        joined += await collect(r.start, r.end, 8192);
      }
      expect(joined).toBe(whole);
    }
  });

  it('makes users only as fast as a slow consumer reads (backpressure)', async () => {
    const chunkBytes = 64 * 1024;
    let made = 0;
    let received = 0;
    const counting = userStream(gen, { start: 0, end: 10_000_000 }, { chunkBytes, onProgress: (done) => (made = done) });
    const sink = new Writable({
      highWaterMark: chunkBytes,
      write(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        // Stop after ~1 MB: the stream must not have run ahead by more than its buffers.
        if (received > 1 << 20) cb(new Error('enough'));
        else setTimeout(cb, 1);
      },
    });
    await expect(pipeline(counting, sink)).rejects.toThrow('enough');
    const madeBytes = made * 270; // lines are ~270 bytes on average
    expect(madeBytes).toBeLessThan(received + 8 * chunkBytes);
    expect(made).toBeLessThan(10_000);
  });
});
