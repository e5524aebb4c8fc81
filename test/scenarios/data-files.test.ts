import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { packRows, parseCsvRows, parseJsonRows, rowsOf } from '../../scenarios/data-files.ts';
import { dataRowIndex, dataRowsOf } from '../../scenarios/engine/data-rows.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';

describe('CSV data sets', () => {
  it('reads RFC 4180: quoted fields with commas, doubled quotes and line breaks, CRLF, blank lines', () => {
    const text = 'id,caption,size\r\n1,"beach, sunset",12\r\n\r\n2,"say ""hi""\nthen go",7\n3,,0';
    const p = parseCsvRows(text, 'photos.csv');
    expect(p.problems).toEqual([]);
    expect(p.columns).toEqual(['id', 'caption', 'size']);
    expect(p.rows).toEqual([['1', 'beach, sunset', '12'], ['2', 'say "hi"\nthen go', '7'], ['3', '', '0']]);
  });

  it('names every bad row by its line, and header problems', () => {
    const text = 'id,name,id\n1,a,2\n2,b\n"3,c,d\n';
    const p = parseCsvRows(text, 'x.csv');
    expect(p.problems).toEqual([
      { where: 'x.csv:1', message: 'column "id" appears twice in the header' },
      { where: 'x.csv:3', message: '2 fields where the header has 3' },
      { where: 'x.csv:4', message: 'a quoted field is not closed' },
    ]);
    expect(parseCsvRows('a,b\n1,x"y\n2,"z"w\n', 'q.csv').problems.map((x) => x.where)).toEqual(['q.csv:2', 'q.csv:3']);
    expect(parseCsvRows('', 'e.csv').problems[0]!.message).toMatch(/no header row/);
    expect(parseCsvRows('a,b\n', 'h.csv').problems[0]!.message).toMatch(/no rows/);
    const many = parseCsvRows(`a,b\n${'1\n'.repeat(30)}`, 'm.csv', 5);
    expect(many.problems).toHaveLength(6);
    expect(many.problems[5]).toEqual({ where: 'm.csv', message: '... and 25 more bad rows' });
  });
});

describe('JSON data sets', () => {
  it('takes an array of objects and names what is not one', () => {
    expect(parseJsonRows('[{"id":1,"tags":["a"]},{"id":2}]', 'r.json').rows).toEqual([{ id: 1, tags: ['a'] }, { id: 2 }]);
    expect(parseJsonRows('[{"id":1}, 3, null]', 'r.json').problems).toEqual([
      { where: 'r.json: [1]', message: 'not an object (number)' }, { where: 'r.json: [2]', message: 'not an object (null)' }]);
    expect(parseJsonRows('{"id":1}', 'r.json').problems[0]!.message).toMatch(/array of objects/);
    expect(parseJsonRows('[\n{"id":1},\n{"id": x}]', 'r.json').problems[0]!.where).toBe('r.json:3');
  });
});

describe('packed rows', () => {
  it('decode to frozen objects, the same rows in another thread without a copy', async () => {
    const packed = packRows(parseCsvRows('id,name\n1,Ann\n2,"Bo, Jr"\n3,Cé\n', 'n.csv'));
    expect(packed.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    const rows = rowsOf(packed);
    expect(rows.count).toBe(3);
    expect(rows.get(1)).toEqual({ id: '2', name: 'Bo, Jr' });
    expect(Object.isFrozen(rows.get(2))).toBe(true);
    expect(rows.get(2)).toBe(rows.get(2));
    expect(rowsOf(packRows(parseJsonRows('[{"a":{"b":1}}]', 'j.json'))).get(0)).toEqual({ a: { b: 1 } });
    // A worker writes into the shared bytes; the parent sees the change: one copy for every thread.
    const w = new Worker('const { workerData, parentPort } = require("node:worker_threads"); workerData.bytes[2] = 0x39; parentPort.postMessage("ok");', { eval: true, workerData: packed });
    await new Promise((resolve) => w.once('message', resolve));
    await w.terminate();
    expect(rowsOf(packed).get(0)).toEqual({ id: '9', name: 'Ann' });
  });

  it('are picked per VU, per iteration or seeded at random, reproducibly', () => {
    expect([1, 2, 3, 4].map((vu) => dataRowIndex('vu', 3, 0, 99, vu))).toEqual([0, 1, 2, 0]);
    expect(dataRowIndex('vu', 3, 0, 5, 0)).toBe(0);
    expect([0, 1, 2, 3, 4].map((it) => dataRowIndex('iteration', 3, 0, it, 1))).toEqual([0, 1, 2, 0, 1]);
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 'd', data: { sets: { p: { file: 'p.csv', pick: 'random' } } },
      flows: { default: { steps: [{ url: 'http://x/{{data.p.id}}' }] } },
    }, 'd.json');
    const packed = { p: packRows(parseCsvRows(`id\n${Array.from({ length: 50 }, (_, i) => i).join('\n')}\n`, 'p.csv')) };
    const picks = (seed: number): unknown[] => Array.from({ length: 200 }, (_, it) => dataRowsOf(spec.data.sets!, packed, seed).row('p', it, 1)!.id);
    expect(picks(1)).toEqual(picks(1));
    expect(picks(1)).not.toEqual(picks(2));
    expect(new Set(picks(1)).size).toBeGreaterThan(30);
  });
});
