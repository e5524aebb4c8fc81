/**
 * Synthetic users: user i is a pure function of (seed, population, i), so any user can be made alone, in any order
 * and on any runner, and shards of a run are exact slices of it. Countries and devices are drawn in proportion to
 * the population with alias tables; names come from per-locale faker pools; usage is heavy-tailed as data/usage.json
 * says. Ids, emails and phone numbers are unique because their distinguishing parts are bijections of i.
 * Lines are written as UTF-8 bytes in place (see bytes.ts); `line` and `user` decode the same bytes, so every view
 * of user i agrees.
 */
import type { Population } from '../types.ts';
import { hash32, scramble32, streamKey, toUnit } from '../random.ts';
import { type AliasTable, buildAlias, pickAlias } from './alias.ts';
import { putBase36x7, putBytes, putFixedDecimal, putHex8, putTenths, putUint } from './bytes.ts';
import { buildLocalePool, type LocalePool, POOL_SIZE } from './pools.ts';

/** One synthetic user (docs/formats.md "population.json and the users files"). */
export interface User {
  /** Unique id, `u<seed>-<i>`. */
  id: string;
  /** ISO country code. */
  country: string;
  /** Data center serving the user (from routing), or null when the generator was given no routing. */
  dc: string | null;
  /** faker locale of the user's country. */
  locale: string;
  /** Full name. */
  name: string;
  /** Unique email address. */
  email: string;
  /** Unique phone number, `+<calling code> <10 digits>`. */
  phone: string;
  /** Phone model. */
  deviceModel: string;
  /** OS release. */
  osVersion: string;
  /** Contacts in the address book (integer). */
  contacts: number;
  /** Photos backed up per day (one decimal). */
  photosPerDay: number;
  /** 128-bit device secret, 32 hex digits. */
  deviceSecret: string;
}

/** Makes users by index. */
export interface UserGenerator {
  /** Seed the users are drawn with. */
  readonly seed: number;
  /** Upper bound of one line's length in bytes (for sizing buffers given to {@link UserGenerator.write}). */
  readonly maxLineBytes: number;
  /**
   * Writes user i as one NDJSON line (with its newline) as UTF-8 into buf at pos.
   * @returns the position after the line
   * @throws {RangeError} when i is not an integer in [0, MAX_USERS)
   */
  write(i: number, buf: Uint8Array, pos: number): number;
  /**
   * User i as one NDJSON line with its trailing newline (equal to `JSON.stringify(user(i)) + "\n"`).
   * @throws {RangeError} when i is not an integer in [0, MAX_USERS)
   */
  line(i: number): string;
  /**
   * User i as an object.
   * @throws {RangeError} when i is not an integer in [0, MAX_USERS)
   */
  user(i: number): User;
  /**
   * Index (into population.countries) of user i's country: cheap, for filtering users by country or DC.
   * @throws {RangeError} when i is not an integer in [0, MAX_USERS)
   */
  countryIndex(i: number): number;
}

/** Options of {@link createUserGenerator}. */
export interface UserGeneratorOptions {
  /** Country code -> serving DC (from routing); users of other countries get `dc: null`. */
  dcByCountry?: Readonly<Record<string, string>>;
  /** Faker pools by locale, to share them between generators of the same seed. */
  pools?: Map<string, LocalePool>;
}

/** Users are indexed below 2^32: the bijections that keep emails and phones unique work on 32-bit integers. */
export const MAX_USERS = 4294967296;

const utf8 = new TextEncoder();

interface CountryTable {
  /** Per pool entry: `","country":"CN","dc":"beijing","locale":"zh_CN","name":"...","email":"<stem>.` (one copy per user). */
  people: Uint8Array[];
  /** `@<domain>","phone":"+<calling code> ` per domain. */
  domains: Uint8Array[];
  devices: AliasTable;
  /** `","deviceModel":"Mi 4","osVersion":"MIUI 6","contacts":` per device cell. */
  deviceParts: Uint8Array[];
  /** Longest line this country can produce, in bytes, without the numbers. */
  maxBytes: number;
}

const PHOTOS = utf8.encode(',"photosPerDay":');
const SECRET = utf8.encode(',"deviceSecret":"');
const END = utf8.encode('"}\n');

/**
 * Prepares a generator: builds alias tables and one faker pool per locale of the population (tens of ms each).
 * @param seed user seed
 * @param population population.json content
 * @param options routing (dc per country) and shared pools
 * @returns the generator
 * @throws {RangeError} when a country's locale is unknown to faker or the population has no countries
 */
export function createUserGenerator(seed: number, population: Population, options: UserGeneratorOptions = {}): UserGenerator {
  const pools = options.pools ?? new Map<string, LocalePool>();
  if (population.countries.length === 0) throw new RangeError('population has no countries');
  const countryAlias = buildAlias(population.countries.map((c) => c.share));
  const longest = (xs: Uint8Array[]): number => xs.reduce((m, x) => Math.max(m, x.length), 0);
  const tables: CountryTable[] = population.countries.map((c) => {
    let pool = pools.get(c.locale);
    if (!pool) {
      pool = buildLocalePool(seed, c.locale);
      pools.set(c.locale, pool);
    }
    const dc = options.dcByCountry?.[c.code];
    const head = `","country":${JSON.stringify(c.code)},"dc":${dc === undefined ? 'null' : JSON.stringify(dc)},"locale":${JSON.stringify(c.locale)},"name":`;
    const t = {
      // Pieces that always follow each other are joined once here: each copy costs more than its bytes.
      people: pool.names.map((n, j) => utf8.encode(`${head}${n},"email":"${pool.stems[j]!}.`)),
      domains: pool.domains.map((d) => utf8.encode(`@${d}","phone":"+${c.callingCode} `)),
      devices: buildAlias(c.devices.map((d) => d.share)),
      deviceParts: c.devices.map((d) => utf8.encode(`","deviceModel":${JSON.stringify(d.model)},"osVersion":${JSON.stringify(d.osVersion)},"contacts":`)),
      maxBytes: 0,
    };
    t.maxBytes = longest(t.people) + longest(t.domains) + longest(t.deviceParts);
    return t;
  });
  const { contacts, photosPerDay } = population.usage;
  const lnContacts = Math.log(contacts.median);
  const lnPhotos = Math.log(photosPerDay.median);
  const maxTenths = Math.round(photosPerDay.max * 10);
  const k = {
    country: streamKey(seed, 'user.country'),
    name: streamKey(seed, 'user.name'),
    email: streamKey(seed, 'user.email'),
    phone: streamKey(seed, 'user.phone'),
    device: streamKey(seed, 'user.device'),
    usage: streamKey(seed, 'user.usage'),
    usage2: streamKey(seed, 'user.usage2'),
    photos: streamKey(seed, 'user.photos'),
    secret0: streamKey(seed, 'user.secret0'),
    secret1: streamKey(seed, 'user.secret1'),
    secret2: streamKey(seed, 'user.secret2'),
    secret3: streamKey(seed, 'user.secret3'),
  };
  const idPrefix = utf8.encode(`{"id":"u${seed}-`);
  const maxLineBytes = idPrefix.length + 10 + Math.max(...tables.map((t) => t.maxBytes)) + 7 + 10
    + String(Math.round(contacts.max)).length + PHOTOS.length + String(photosPerDay.max).length + 2 + SECRET.length + 32 + END.length;

  const countryIndex = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= MAX_USERS) throw new RangeError(`user index ${i} must be an integer in [0, 2^32)`);
    return pickAlias(countryAlias, toUnit(hash32(k.country, i)));
  };
  const write = (i: number, buf: Uint8Array, pos: number): number => {
    const t = tables[countryIndex(i)]!;
    const hn = hash32(k.name, i);
    const pi = hn & (POOL_SIZE - 1);
    // One Box-Muller pair gives the two independent normals of contacts and photos.
    const r = Math.sqrt(-2 * Math.log(toUnit(hash32(k.usage, i))));
    const theta = 2 * Math.PI * toUnit(hash32(k.usage2, i));
    const nContacts = Math.min(contacts.max, Math.round(Math.exp(lnContacts + contacts.sigma * r * Math.cos(theta))));
    const photoTenths = toUnit(hash32(k.photos, i)) < photosPerDay.zeroShare
      ? 0
      : Math.min(maxTenths, Math.max(1, Math.round(Math.exp(lnPhotos + photosPerDay.sigma * r * Math.sin(theta)) * 10)));

    pos = putBytes(buf, pos, idPrefix);
    pos = putUint(buf, pos, i);
    pos = putBytes(buf, pos, t.people[pi]!);
    // scramble32 is a bijection and so is xor with a key: distinct i give distinct email tags and phone numbers.
    pos = putBase36x7(buf, pos, scramble32((i ^ k.email) >>> 0));
    pos = putBytes(buf, pos, t.domains[(hn >>> 12) % t.domains.length]!);
    pos = putFixedDecimal(buf, pos, scramble32((i ^ k.phone) >>> 0), 10);
    pos = putBytes(buf, pos, t.deviceParts[pickAlias(t.devices, toUnit(hash32(k.device, i)))]!);
    pos = putUint(buf, pos, nContacts);
    pos = putBytes(buf, pos, PHOTOS);
    pos = putTenths(buf, pos, photoTenths);
    pos = putBytes(buf, pos, SECRET);
    pos = putHex8(buf, pos, hash32(k.secret0, i));
    pos = putHex8(buf, pos, hash32(k.secret1, i));
    pos = putHex8(buf, pos, hash32(k.secret2, i));
    pos = putHex8(buf, pos, hash32(k.secret3, i));
    return putBytes(buf, pos, END);
  };
  const scratch = Buffer.allocUnsafe(maxLineBytes);
  const line = (i: number): string => scratch.toString('utf8', 0, write(i, scratch, 0));
  return { seed, maxLineBytes, write, line, user: (i) => JSON.parse(line(i)) as User, countryIndex };
}
