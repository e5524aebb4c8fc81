/**
 * Per-locale pools of faker values (full names with their user-name stems, email domains), built once per
 * (seed, locale) so that millions of users are composed by index instead of calling faker per user, which is what
 * makes 100M users feasible. Values are stored already JSON-escaped because the generator writes NDJSON.
 */
import { allLocales, Faker, type LocaleDefinition } from '@faker-js/faker';
import { streamKey } from '../random.ts';

/** Pool entries per locale: large enough that neighbours rarely share a name, small enough to build in ~50 ms. */
export const POOL_SIZE = 4096;

/** Faker values of one locale. */
export interface LocalePool {
  /** faker locale key, e.g. `zh_CN`. */
  locale: string;
  /** Full names as JSON string literals (with quotes). */
  names: string[];
  /** ASCII user-name stems matching the names (lower case, safe in an email local part). */
  stems: string[];
  /** Email domains usual in the locale. */
  domains: string[];
}

/**
 * Lists faker's locale keys, so configuration can be checked before a run.
 * @returns locale keys such as `zh_CN`, `en_IN`
 */
export function fakerLocales(): string[] {
  return Object.keys(allLocales);
}

/**
 * Builds the pool of one locale from a seeded faker: same (seed, locale) -> same pool.
 * @param seed user seed
 * @param locale faker locale key
 * @returns the pool
 * @throws {RangeError} when faker has no such locale
 */
export function buildLocalePool(seed: number, locale: string): LocalePool {
  const def = (allLocales as Record<string, LocaleDefinition>)[locale];
  if (!def) throw new RangeError(`unknown faker locale "${locale}"`);
  const faker = new Faker({ locale: [def, allLocales.en, allLocales.base] });
  faker.seed(streamKey(seed, `pool:${locale}`));
  // Latin user names for scripts faker cannot transliterate well (Thai, Chinese): people there use Latin handles too.
  const latin = new Faker({ locale: [allLocales.en, allLocales.base] });
  latin.seed(streamKey(seed, `pool-latin:${locale}`));
  const honorifics = honorificSet(faker);
  const names: string[] = [];
  const stems: string[] = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const sex = i % 2 === 0 ? 'female' : 'male';
    const firstName = faker.person.firstName(sex);
    const lastName = faker.person.lastName(sex);
    const full = faker.person.fullName({ firstName, lastName, sex })
      .split(' ').filter((w) => !honorifics.has(w)).join(' ');
    let stem = asciiStem(faker.internet.username({ firstName, lastName }));
    if (stem === undefined) {
      stem = asciiStem(latin.internet.username({ firstName: latin.person.firstName(sex), lastName: latin.person.lastName(sex) })) ?? `user${i}`;
    }
    names.push(JSON.stringify(full));
    stems.push(stem);
  }
  let free: readonly string[] | undefined;
  try {
    free = faker.definitions.internet.free_email as readonly string[] | undefined;
  } catch {
    free = undefined;
  }
  const domains = free && free.length > 0 ? [...free] : ['example.com'];
  return { locale, names, stems, domains };
}

/** Lower-cased stem made of [a-z0-9._], 2-20 chars, or undefined when the user name does not make one. */
function asciiStem(username: string): string | undefined {
  const s = username.toLowerCase().replace(/[^a-z0-9._]/g, '').replace(/^[._]+|[._]+$/g, '').replace(/[._]{2,}/g, '.');
  return s.length >= 2 && s.length <= 20 && /[a-z]/.test(s) ? s : undefined;
}

/** Name prefixes and suffixes of the locale (Mr., Srta., Jr.): account names do not carry them. */
function honorificSet(faker: Faker): Set<string> {
  const out = new Set<string>();
  const person = faker.definitions.person as Record<string, unknown> | undefined;
  const collect = (v: unknown): void => {
    if (typeof v === 'string') out.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  // faker throws, rather than returning undefined, for data a locale marks as not applicable.
  for (const key of ['prefix', 'suffix']) {
    try {
      collect(person?.[key]);
    } catch {
      // not applicable in this locale: nothing to strip
    }
  }
  return out;
}
