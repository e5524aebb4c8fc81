import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-fit-');
afterAll(() => removeDir(dir));

/** Writes a file into the test's directory and returns its path. */
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// SPEC SDM91 (R usl package `specsdm91`, Gunther, Guerrilla Capacity Planning 2007): users, scripts/hour, plus an
// ignored column, to check that extra columns are allowed.
const SPEC = file('specsdm91.csv', 'load_note,concurrency,throughput\na,1,64.9\nb,18,995.9\nc,36,1652.4\nd,72,1853.2\ne,108,1828.9\nf,144,1775.0\ng,216,1702.2\n');
// Ray tracer (R usl package `raytracer`): Amdahl-like, kappa = 0. Header in another order and case.
const RAY = file('raytracer.csv', 'Throughput,Concurrency\n20,1\n78,4\n130,8\n170,12\n190,16\n200,20\n210,24\n230,28\n260,32\n280,48\n310,64\n');
const BAD = file('bad.csv', 'concurrency,throughput\n1,fast\n2,-5\n3\n4,40\n');

describe('caplab fit usl', () => {
  it('--json prints exactly sigma, kappa, lambda, nStar, xMax, r2 (the R usl fit of specsdm91)', async () => {
    const { code, stdout, stderr } = await runCli(['fit', 'usl', SPEC, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, number | null>;
    expect(Object.keys(out)).toEqual(['sigma', 'kappa', 'lambda', 'nStar', 'xMax', 'r2']);
    expect(out.sigma).toBeCloseTo(0.0277285, 6);
    expect(out.kappa).toBeCloseTo(0.0001044, 7);
    expect(out.lambda).toBeCloseTo(89.99523, 3);
    expect(out.nStar).toBeCloseTo(96.52, 2);
    expect(out.xMax).toBeCloseTo(1883.9, 1);
    expect(out.r2).toBeCloseTo(0.9896, 4);
  });

  it('--json gives nStar null (infinite) and kappa 0 for Amdahl data', async () => {
    const { code, stdout } = await runCli(['fit', 'usl', RAY, '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, number | null>;
    expect(out.kappa).toBe(0);
    expect(out.nStar).toBeNull();
    expect(out.xMax).toBeCloseTo(out.lambda! / out.sigma!, 9);
  });

  it('prints a readable summary with every figure and its 95% bounds', async () => {
    const { code, stdout, stderr } = await runCli(['fit', 'usl', SPEC]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`USL fit of ${SPEC}: 7 points at 7 concurrency levels`);
    expect(stdout).toMatch(/^ {2}sigma +0\.02773 +contention +95% \[0\.0024\d*, 0\.05305\]$/m);
    expect(stdout).toMatch(/^ {2}kappa +1\.044e-4 /m);
    expect(stdout).toMatch(/^ {2}lambda +90 /m);
    expect(stdout).toMatch(/^ {2}nStar +96\.52 /m);
    expect(stdout).toMatch(/^ {2}xMax +1884 /m);
    expect(stdout).toMatch(/^ {2}r2 +0\.9896 +residual sd 82\.85 on 4 degrees of freedom$/m);
    const ray = await runCli(['fit', 'usl', RAY]);
    expect(ray.stdout).toMatch(/^ {2}nStar +infinite +kappa = 0/m);
    expect(ray.stdout).toMatch(/^ {2}xMax +378\.2 +asymptote/m);
  });

  it('exits 104 listing every problem of a bad CSV with file:line, printing nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['fit', 'usl', BAD, '--json']);
    expect(code).toBe(104);
    expect(stdout).toBe('');
    expect(stderr).toContain(`caplab: ${BAD} is invalid: 4 problems`);
    expect(stderr).toContain(`${BAD}:2: throughput "fast" is not a number`);
    expect(stderr).toContain(`${BAD}:3: throughput "-5" must be positive`);
    expect(stderr).toContain(`${BAD}:4: expected 2 fields (concurrency,throughput), got 1`);
    expect(stderr).toContain(`${BAD}: 1 distinct valid concurrency level (4)`);
  });

  it('exits 104 for a missing column, a missing file, and a missing argument', async () => {
    const noCol = file('nocol.csv', 'users,rps\n1,2\n2,4\n3,6\n');
    const [a, b, c, d] = await Promise.all([
      runCli(['fit', 'usl', noCol]),
      runCli(['fit', 'usl', join(dir, 'absent.csv')]),
      runCli(['fit', 'usl']),
      runCli(['fit', 'usl', SPEC, '--bogus']),
    ]);
    expect(d.code).toBe(104);
    expect(d.stderr).toMatch(/unknown option '--bogus'/);
    expect(a.code).toBe(104);
    expect(a.stderr).toContain(`${noCol}:1: missing column "concurrency"`);
    expect(a.stderr).toContain(`${noCol}:1: missing column "throughput"`);
    expect(b.code).toBe(104);
    expect(b.stderr).toContain('cannot read USL data file');
    expect(c.code).toBe(104);
    expect(c.stderr).toMatch(/missing required argument 'file'/);
  });
});

describe('caplab fit erlang', () => {
  it('--json prints exactly pWait, meanWait, utilization, serversForTarget (the 55-agent call-centre example)', async () => {
    const { code, stdout, stderr } = await runCli(['fit', 'erlang', '--rate', '0.2', '--service-time', '4m', '--servers', '55', '--target-wait', '20s', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, number | null>;
    expect(Object.keys(out)).toEqual(['pWait', 'meanWait', 'utilization', 'serversForTarget']);
    expect(out.pWait).toBeCloseTo(0.2387, 4);
    expect(out.meanWait).toBeCloseTo(8.184, 3);
    expect(out.utilization).toBeCloseTo(48 / 55, 12);
    expect(out.serversForTarget).toBe(53);
  });

  it('gives serversForTarget null without --target-wait, and reads durations with units', async () => {
    const [plain, units] = await Promise.all([
      runCli(['fit', 'erlang', '--rate', '200', '--service-time', '0.05', '--servers', '12', '--json']),
      runCli(['fit', 'erlang', '--rate', '200', '--service-time', '50ms', '--servers', '12', '--json']),
    ]);
    expect(plain.code).toBe(0);
    const a = JSON.parse(plain.stdout) as Record<string, number | null>;
    expect(a.serversForTarget).toBeNull();
    expect(JSON.parse(units.stdout)).toEqual(a);
  });

  it('reports an unstable queue clearly: exit 0, pWait 1, meanWait null, UNSTABLE in the text', async () => {
    const [json, text] = await Promise.all([
      runCli(['fit', 'erlang', '--rate', '100', '--service-time', '50ms', '--servers', '4', '--target-wait', '10ms', '--json']),
      runCli(['fit', 'erlang', '--rate', '100', '--service-time', '50ms', '--servers', '4']),
    ]);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as Record<string, number | null>;
    expect(out).toMatchObject({ pWait: 1, meanWait: null, utilization: 1.25 });
    expect(out.serversForTarget).toBeGreaterThan(5);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('UNSTABLE: offered load >= 4 servers');
    expect(text.stdout).toMatch(/mean wait +infinite/);
  });

  it('prints a readable summary', async () => {
    const { code, stdout } = await runCli(['fit', 'erlang', '--rate', '0.2', '--service-time', '240', '--servers', '55', '--target-wait', '20']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}utilization +87\.3%$/m);
    expect(stdout).toMatch(/^ {2}P\(wait\) +0\.2387$/m);
    expect(stdout).toMatch(/^ {2}mean wait +8\.184 s in the queue/m);
    expect(stdout).toMatch(/^ {2}servers needed 53 for a mean wait <= 20 s$/m);
  });

  it('exits 104 listing every bad or missing flag at once', async () => {
    const [bad, missing, huge] = await Promise.all([
      runCli(['fit', 'erlang', '--rate', 'lots', '--service-time', '5parsecs', '--servers', '2.5', '--target-wait', '0', '--json']),
      runCli(['fit', 'erlang', '--servers', '3']),
      runCli(['fit', 'erlang', '--rate', '1e8', '--service-time', '1', '--servers', '2e7']),
    ]);
    // The recursions are O(servers) and O(load): absurd sizes are refused rather than left to hang.
    expect(huge.code).toBe(104);
    expect(huge.stderr).toContain('invalid options: 2 problems');
    expect(bad.code).toBe(104);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('invalid options: 4 problems');
    for (const flag of ['--rate: "lots"', '--service-time: "5parsecs"', '--servers: "2.5"', '--target-wait: "0"']) expect(bad.stderr).toContain(flag);
    expect(missing.code).toBe(104);
    expect(missing.stderr).toContain('invalid options: 2 problems');
    expect(missing.stderr).toContain('--rate: missing');
    expect(missing.stderr).toContain('--service-time: missing');
  });
});
