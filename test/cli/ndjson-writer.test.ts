import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openNdjsonFile } from '../../cli/ndjson-writer.ts';
import { createSampleBatcher } from '../../scenarios/engine/outputs/sample-batch.ts';
import { removeDir, tempDir } from '../helpers/cli.ts';
import { runSamples } from '../helpers/samples.ts';

const dir = tempDir('caplab-ndjson-writer-');
afterAll(() => removeDir(dir));

const opts = { gzipLevel: 1, maxMemoryBytes: 64 * 1024 * 1024, flushIntervalMs: 50 };
const points = (text: string): { metric: string; data: { time: string; value: number; tags: Record<string, string> } }[] =>
  text.trim().split('\n').map((l) => JSON.parse(l) as { type: string }).filter((l) => l.type === 'Point') as never;

describe('openNdjsonFile (the writer thread of caplab run -o json=)', () => {
  it('writes every sample of the run and of --workers batches, gzip-compressed, under its name only when finished', async () => {
    const path = join(dir, 'a', 'points.ndjson.gz');
    const out = await openNdjsonFile(path, opts);
    const own = runSamples(3000, 1);
    const batches: ArrayBuffer[] = [];
    const worker = createSampleBatcher((b) => batches.push(b), { source: 1, batchSize: 500 });
    const theirs = runSamples(2000, 2, 'w');
    for (const s of theirs) worker.add(s);
    worker.flush();
    own.forEach((s, i) => {
      out.add(s);
      if (i % 600 === 0 && batches.length > 0) out.addBatch(batches.shift()!);
    });
    for (const b of batches.splice(0)) out.addBatch(b);
    expect(out.points).toBe(own.length + theirs.length);
    expect(existsSync(path)).toBe(false);
    expect(await out.finish()).toBe(own.length + theirs.length);
    const got = points(gunzipSync(readFileSync(path)).toString());
    expect(got).toHaveLength(own.length + theirs.length);
    expect(got.filter((p) => p.data.tags.scenario === 'w').length).toBe(theirs.filter((s) => s.tags.scenario === 'w').length);
    expect(readdirSync(join(dir, 'a'))).toEqual(['points.ndjson.gz']);
  });

  it('never drops a sample when the thread is behind: past the memory bound, batches wait in a spool file and come back in order', async () => {
    const path = join(dir, 'b', 'points.ndjson');
    // A bound smaller than one batch sends every batch after the first through the spool.
    const out = await openNdjsonFile(path, { ...opts, maxMemoryBytes: 1 });
    const samples = runSamples(20_000, 3);
    for (const s of samples) out.add(s);
    expect(out.spooledBytes).toBeGreaterThan(0);
    expect(await out.finish()).toBe(samples.length);
    const got = points(readFileSync(path, 'utf8'));
    expect(got).toHaveLength(samples.length);
    // In the order they were taken: same metric, tags and value sample for sample.
    const key = (metric: string, tags: unknown, value: number): string => `${metric} ${JSON.stringify(tags)} ${value}`;
    expect(got.map((p) => key(p.metric, p.data.tags, p.data.value)))
      .toEqual(samples.map((x) => key(x.metric.name, x.tags, x.value)));
    expect(readdirSync(join(dir, 'b'))).toEqual(['points.ndjson']);
  });

  it('a file that cannot be written fails finish() with the reason and leaves nothing; abort() leaves nothing', async () => {
    mkdirSync(join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'file'), 'x');
    await expect(openNdjsonFile(join(dir, 'c', 'file', 'points.ndjson'), opts)).rejects.toThrow(/EEXIST|ENOTDIR/);
    const gone = join(dir, 'c', 'gone', 'points.ndjson');
    const out = await openNdjsonFile(gone, opts);
    for (const s of runSamples(100, 4)) out.add(s);
    await out.abort();
    expect(readdirSync(join(dir, 'c', 'gone'))).toEqual([]);
  });
});
