import { describe, expect, it } from 'vitest';
import { createUserGenerator, MAX_USERS, type User } from '../../../models/population/user.ts';
import { realPopulation } from '../../helpers/population.ts';

const pop = await realPopulation(1);
const gen = createUserGenerator(1, pop);
const N = 100_000;
const users: User[] = Array.from({ length: N }, (_, i) => gen.user(i));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('user(seed, i)', () => {
  it('is a pure function of (seed, i): same seed same bytes, in any order; another seed differs', () => {
    const again = createUserGenerator(1, pop);
    for (const i of [99_999, 0, 12_345, 7]) expect(again.line(i)).toBe(gen.line(i));
    const other = createUserGenerator(2, pop);
    expect(other.line(0)).not.toBe(gen.line(0));
  });

  it('line(i) is exactly JSON.stringify(user(i)) plus a newline, with the contract fields in order', () => {
    for (let i = 0; i < N; i += 7) expect(gen.line(i)).toBe(`${JSON.stringify(users[i])}\n`);
    expect(Object.keys(users[0]!)).toEqual(['id', 'country', 'dc', 'locale', 'name', 'email', 'phone', 'deviceModel', 'osVersion', 'contacts', 'photosPerDay', 'deviceSecret']);
  });

  it('keeps ids, emails and phone numbers unique', () => {
    expect(new Set(users.map((u) => u.id)).size).toBe(N);
    expect(new Set(users.map((u) => u.email)).size).toBe(N);
    expect(new Set(users.map((u) => u.phone)).size).toBe(N);
    expect(users[41]!.id).toBe('u1-41');
  });

  it('formats fields validly and follows the country: locale, calling code, script of names', () => {
    const byCode = new Map(pop.countries.map((c) => [c.code, c]));
    for (const u of users.slice(0, 5000)) {
      const c = byCode.get(u.country)!;
      expect(u.locale).toBe(c.locale);
      expect(u.phone).toMatch(new RegExp(`^\\+${c.callingCode} \\d{10}$`));
      expect(u.email).toMatch(/^[a-z0-9._]+\.[0-9a-z]{7}@[a-z0-9.-]+\.[a-z]{2,}$/);
      expect(u.deviceSecret).toMatch(/^[0-9a-f]{32}$/);
      expect(u.dc).toBeNull();
      expect(u.name.trim()).toBe(u.name);
      expect(u.name.length).toBeGreaterThan(1);
      if (u.locale === 'zh_CN') expect(u.name).toMatch(/^\p{Script=Han}+$/u);
      if (u.locale === 'en_IN') expect(u.name).toMatch(/^[A-Za-z' .-]+$/);
      const cell = c.devices.find((d) => d.model === u.deviceModel && d.osVersion === u.osVersion);
      expect(cell, `${u.deviceModel}/${u.osVersion} in ${u.country}`).toBeDefined();
    }
  });

  it('draws countries and devices in proportion to the population', () => {
    const counts = new Map<string, number>();
    for (const u of users) counts.set(u.country, (counts.get(u.country) ?? 0) + 1);
    for (const c of pop.countries) {
      // Binomial standard error at N = 1e5 is at most 0.0016; allow 4 of them.
      expect(Math.abs((counts.get(c.code) ?? 0) / N - c.share)).toBeLessThan(0.0064);
    }
    const models = new Map<string, number>();
    for (const u of users) models.set(u.deviceModel, (models.get(u.deviceModel) ?? 0) + 1);
    for (const [model, share] of Object.entries(pop.deviceModels)) {
      expect(Math.abs((models.get(model) ?? 0) / N - share)).toBeLessThan(0.0064);
    }
  });

  it('has the heavy-tailed usage of data/usage.json', () => {
    const { contacts, photosPerDay } = pop.usage;
    const c = users.map((u) => u.contacts);
    expect(c.every((x) => Number.isInteger(x) && x >= 0 && x <= contacts.max)).toBe(true);
    // Lognormal: median = e^mu; p90 = median * e^(1.2816 sigma) = 120 * e^(1.0253) = 334.6.
    expect(median(c)).toBeGreaterThan(contacts.median * 0.97);
    expect(median(c)).toBeLessThan(contacts.median * 1.03);
    const sorted = [...c].sort((a, b) => a - b);
    expect(sorted[Math.floor(N * 0.9)]!).toBeGreaterThan(334.6 * 0.95);
    expect(sorted[Math.floor(N * 0.9)]!).toBeLessThan(334.6 * 1.05);
    const p = users.map((u) => u.photosPerDay);
    const zeros = p.filter((x) => x === 0).length / N;
    expect(Math.abs(zeros - photosPerDay.zeroShare)).toBeLessThan(0.006);
    const active = p.filter((x) => x > 0);
    expect(median(active)).toBeGreaterThan(photosPerDay.median * 0.95);
    expect(median(active)).toBeLessThan(photosPerDay.median * 1.05);
    expect(p.every((x) => x <= photosPerDay.max && Math.round(x * 10) === x * 10)).toBe(true);
  });

  it('addresses users up to 2^32 - 1 and rejects other indices', () => {
    expect(gen.user(MAX_USERS - 1).id).toBe(`u1-${MAX_USERS - 1}`);
    expect(() => gen.line(MAX_USERS)).toThrow(RangeError);
    expect(() => gen.line(-1)).toThrow(RangeError);
    expect(() => gen.line(1.5)).toThrow(RangeError);
  });

  it('never writes more than maxLineBytes', () => {
    let longest = 0;
    for (let i = 0; i < N; i++) longest = Math.max(longest, Buffer.byteLength(gen.line(i)));
    expect(longest).toBeLessThanOrEqual(gen.maxLineBytes);
  });
});
