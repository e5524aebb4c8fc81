import { describe, expect, it } from 'vitest';
import { createUserGenerator } from '../../../models/population/user.ts';
import { parseUsersNdjson, userSourceFromList, userSourceOf, type UsersData } from '../../../scenarios/engine/users.ts';
import { realPopulation } from '../../helpers/population.ts';

describe('parseUsersNdjson', () => {
  it('keeps one record per object line, skips blank lines and numbers bad lines from 1', () => {
    const r = parseUsersNdjson('{"id":1}\n\n  \n[2]\n3\nnull\n{nope\r\n{"id":2}\r\n');
    expect(r.users).toEqual([{ id: 1 }, { id: 2 }]);
    expect(r.badLines).toEqual([4, 5, 6, 7]);
    expect(r.badCount).toBe(4);
  });

  it('lists at most maxBadLines lines but counts them all', () => {
    const r = parseUsersNdjson('x\n'.repeat(30), 20);
    expect(r.badLines).toHaveLength(20);
    expect(r.badLines.at(-1)).toBe(20);
    expect(r.badCount).toBe(30);
  });

  it('reads a last line without a newline, and nothing from empty text', () => {
    expect(parseUsersNdjson('{"a":1}\n{"b":2}').users).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseUsersNdjson('')).toEqual({ users: [], badLines: [], badCount: 0 });
  });
});

describe('userSourceOf', () => {
  it('serves the records of NDJSON text in order', () => {
    const s = userSourceOf({ kind: 'ndjson', text: '{"id":"a"}\n{"id":"b"}\n' });
    expect(s.count).toBe(2);
    expect([s.get(0), s.get(1)]).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(userSourceFromList([{ id: 'x' }]).get(0)).toEqual({ id: 'x' });
  });

  it('generates user i from seed and population, the same after the data crossed a thread (structured clone)', async () => {
    const population = await realPopulation(3);
    const data: UsersData = { kind: 'generated', seed: 3, count: 5, population };
    const direct = createUserGenerator(3, population);
    const s = userSourceOf(structuredClone(data));
    expect(s.count).toBe(5);
    for (let i = 0; i < 5; i++) expect(s.get(i)).toEqual(direct.user(i));
  });
});
