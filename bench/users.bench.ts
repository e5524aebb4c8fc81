/**
 * Users benchmark: users/s of `caplab users` against a plain loop that calls faker for the same fields, measured in
 * the same run, and the RSS of `caplab users` while it streams 10M users (it must stay flat).
 * Goals (issue 3): ratio >= 10x, >= 1M users/s on one core, flat RSS.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allLocales, Faker } from '@faker-js/faker';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'caplab-bench-users-'));
const RATE_USERS = Number(process.env.BENCH_USERS ?? 5_000_000);
const RSS_USERS = Number(process.env.BENCH_RSS_USERS ?? 10_000_000);
const FAKER_USERS = Number(process.env.BENCH_FAKER_USERS ?? 100_000);

/** The peer: faker called per user for the same fields, serialised the same way. */
function fakerLoop(n: number): number {
  const locales = ['zh_CN', 'en_IN', 'id_ID', 'en_HK', 'zh_TW'] as const;
  const fakers = locales.map((l) => {
    const f = new Faker({ locale: [allLocales[l], allLocales.en, allLocales.base] });
    f.seed(1);
    return f;
  });
  const models = ['Redmi Note', 'Mi 4', 'Redmi 2', 'Mi 3'];
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = fakers[i % fakers.length]!;
    const firstName = f.person.firstName();
    const lastName = f.person.lastName();
    const user = {
      id: `u1-${i}`,
      country: 'CN',
      dc: null,
      locale: locales[i % locales.length],
      name: f.person.fullName({ firstName, lastName }),
      email: f.internet.email({ firstName, lastName }),
      phone: f.phone.number(),
      deviceModel: f.helpers.arrayElement(models),
      osVersion: f.helpers.arrayElement(['MIUI 6', 'MIUI 7']),
      contacts: Math.round(Math.exp(Math.log(120) + 0.8 * f.number.float({ min: -3, max: 3 }))),
      photosPerDay: f.number.float({ min: 0, max: 10, fractionDigits: 1 }),
      deviceSecret: f.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }),
    };
    bytes += JSON.stringify(user).length + 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (bytes === 0) throw new Error('unreachable');
  return n / seconds;
}

interface CliRun {
  seconds: number;
  rssKb: number[];
  code: number | null;
}

/** Runs `caplab users --count n` with stdout to /dev/null, sampling its RSS every 100 ms. */
function runCli(n: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin/caplab.js'), '--quiet', '--out-dir', outDir, 'users', '--count', String(n)], {
      stdio: ['ignore', devNull, 'inherit'],
    });
    const rssKb: number[] = [];
    const timer = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) rssKb.push(Number(m[1]));
      } catch {
        // the process just ended
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      closeSync(devNull);
      resolve({ seconds: (performance.now() - t0) / 1000, rssKb, code });
    });
  });
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

try {
  const peer = fakerLoop(FAKER_USERS);
  const startup = await runCli(1);
  const full = await runCli(RATE_USERS);
  if (startup.code !== 0 || full.code !== 0) throw new Error(`caplab users exited with ${startup.code}/${full.code}`);
  const rate = RATE_USERS / (full.seconds - startup.seconds);
  const endToEnd = RATE_USERS / full.seconds;
  const ratio = rate / peer;
  console.log(`plain faker loop:       ${fmt(peer)} users/s (${fmt(FAKER_USERS)} users)`);
  console.log(`caplab users:           ${fmt(rate)} users/s streaming (${fmt(RATE_USERS)} users to /dev/null; startup ${startup.seconds.toFixed(2)} s excluded)`);
  console.log(`caplab users end to end: ${fmt(endToEnd)} users/s including startup`);
  console.log(`ratio caplab/faker:     ${ratio.toFixed(1)}x (goal >= 10x) ${ratio >= 10 ? 'met' : 'MISSED'}`);
  console.log(`rate goal >= 1M/s:      ${rate >= 1e6 ? 'met' : 'missed on this machine'}`);

  const rss = await runCli(RSS_USERS);
  if (rss.code !== 0) throw new Error(`caplab users exited with ${rss.code}`);
  const s = rss.rssKb;
  const at = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? 0;
  const settled = at(0.2);
  const peak = Math.max(...s);
  const flat = peak <= settled * 1.25 + 16 * 1024;
  console.log(`RSS streaming ${fmt(RSS_USERS)} users in ${rss.seconds.toFixed(1)} s: at 20% ${fmt(settled / 1024)} MB, 50% ${fmt(at(0.5) / 1024)} MB, ` +
    `90% ${fmt(at(0.9) / 1024)} MB, peak ${fmt(peak / 1024)} MB -> ${flat ? 'flat' : 'GROWING'}`);
  process.exitCode = ratio >= 10 && flat ? 0 : 1;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
