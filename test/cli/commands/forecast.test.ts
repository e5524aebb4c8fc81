import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeForecast } from '../../../cli/chain.ts';
import { forecastJson } from '../../../cli/commands/forecast.ts';
import type { Forecast } from '../../../models/types.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dirs: string[] = [];
const dir = (name: string): string => {
  const d = tempDir(`caplab-forecast-${name}-`);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach(removeDir));

const readForecast = (d: string): Forecast => JSON.parse(readFileSync(join(d, 'forecast.json'), 'utf8')) as Forecast;

describe('caplab forecast (default data)', () => {
  const out = dir('default');
  const run = runCli(['--out-dir', out, 'forecast']);

  it('exits 0 and prints the model, the quarterly table and the milestones', async () => {
    const { code, stdout, stderr } = await run;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Growth model: (logistic|bass|gompertz) \(lowest AICc among/m);
    expect(stdout).toMatch(/fit on 7 periods: rmse [\d.]+M phones\/period, r2 0\.\d{3} \(log\), AICc -?\d+\.\d\d/);
    expect(stdout).toMatch(/^quarter\s+ship p10\s+ship p50\s+ship p90\s+last 4Q p50\s+active p50\s+P\(4Q>=100\.0M\)$/m);
    expect(stdout).toMatch(/^2014Q4\*\s/m);
    expect(stdout).toMatch(/^2017Q4\s/m);
    expect(stdout).toMatch(/Yearly target 100\.0M/);
    expect(stdout).toContain(`wrote ${join(out, 'forecast.json')}`);
  });

  it('writes <out-dir>/forecast.json with schema caplab.forecast/v1 and nothing else', async () => {
    await run;
    expect(readdirSync(out)).toEqual(['forecast.json']);
    const f = readForecast(out);
    expect(f.schema).toBe('caplab.forecast/v1');
    expect(f.seed).toBe(1); // data/defaults.json
    expect(f.history.source).toBe('data/history.json');
    expect(f.uncertainty.draws).toBe(500);
    expect(f.horizon).toEqual({ first: '2011Q1', last: '2017Q4' });
    expect(f.quarters).toHaveLength(28);
    for (const q of f.quarters) {
      expect(q.activeDevices.p10).toBeLessThanOrEqual(q.activeDevices.p50);
      expect(q.activeDevices.p50).toBeLessThanOrEqual(q.activeDevices.p90);
    }
    for (const c of f.candidates) {
      expect(Number.isFinite(c.fit.rmse)).toBe(true);
      expect(Number.isFinite(c.fit.r2)).toBe(true);
      expect(c.fit.aicc === null || Number.isFinite(c.fit.aicc)).toBe(true);
    }
  });

  it('writes exactly what the in-process forecast computes (stable serialisation)', async () => {
    await run;
    const expected = forecastJson(await computeForecast({}, 1));
    expect(readFileSync(join(out, 'forecast.json'), 'utf8')).toBe(expected);
  });
});

describe('caplab forecast reproducibility', () => {
  it('gives byte-identical forecast.json for the same --seed, and different bytes for another seed', async () => {
    const [a, b, c] = [dir('seed-a'), dir('seed-b'), dir('seed-c')];
    const runs = await Promise.all([
      runCli(['--out-dir', a, '--seed', '7', 'forecast', '--draws', '200']),
      runCli(['--out-dir', b, '--seed', '7', 'forecast', '--draws', '200']),
      runCli(['--out-dir', c, '--seed', '8', 'forecast', '--draws', '200']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const bytes = [a, b, c].map((d) => readFileSync(join(d, 'forecast.json')));
    expect(bytes[0]!.equals(bytes[1]!)).toBe(true);
    expect(bytes[0]!.equals(bytes[2]!)).toBe(false);
    expect(readForecast(a).seed).toBe(7);
    expect(readForecast(c).seed).toBe(8);
  });
});

describe('caplab forecast --json', () => {
  it('prints the forecast JSON on stdout and writes nothing', async () => {
    const parent = dir('json');
    const out = join(parent, 'out');
    const { code, stdout, stderr } = await runCli(['--out-dir', out, '--seed', '3', 'forecast', '--json', '--draws', '50']);
    expect(code, stderr).toBe(0);
    const f = JSON.parse(stdout) as Forecast;
    expect(f.schema).toBe('caplab.forecast/v1');
    expect(f.seed).toBe(3);
    expect(f.uncertainty.draws).toBe(50);
    expect(stdout).not.toContain('Growth model:');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('caplab forecast --analogues --backtest', () => {
  it('fits Bass with the analogue prior, scores it as bass+analogues, and says which analogues were used', async () => {
    const parent = dir('analogues');
    const { code, stdout, stderr } = await runCli(['--out-dir', join(parent, 'out'), 'forecast', '--analogues', '--backtest', '--json', '--draws', '50']);
    expect(code, stderr).toBe(0);
    const f = JSON.parse(stdout) as Forecast;
    expect(f.backtest!.scores.map((x) => x.model)).toEqual(['logistic', 'bass', 'gompertz', 'bass+analogues']);
    expect(f.backtest!.evaluations.filter((e) => e.model === 'bass+analogues')).toHaveLength(10);
    expect(f.priors!.bassAnalogues!.analogues.map((a) => a.id)).toEqual(['apple-iphone', 'samsung-smartphones', 'huawei-smartphones']);
    expect(f.priors!.bassAnalogues!.usedBy).toEqual(['bass']);
    expect(f.priors!.marketPotential.basis.series).toBe('world-idc');
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('caplab forecast options', () => {
  it('--model logistic fits and reports only the logistic model', async () => {
    const out = dir('logistic');
    const { code, stdout, stderr } = await runCli(['--out-dir', out, 'forecast', '--model', 'logistic', '--draws', '50']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Growth model: logistic \(model logistic requested\)/m);
    const f = readForecast(out);
    expect(f.model.model).toBe('logistic');
    expect(f.candidates.map((c) => c.model)).toEqual(['logistic']);
    expect(Object.keys(f.model.params)).toEqual(['m', 'r', 't0']);
  });

  it('--history reads a CSV file; --target, --horizon and --quiet are honoured', async () => {
    const d = dir('csv');
    const csv = join(d, 'history.csv');
    writeFileSync(csv, 'period,shipments\n2012,7190000\n2013H1,7030000\n2013H2,11670000\n2014Q1,11000000\n2014Q2,15100000\n2014H2,35000000\n');
    const out = join(d, 'out');
    const { code, stdout, stderr } = await runCli(['--out-dir', out, '--quiet', 'forecast', '--history', csv, '--target', '80M', '--horizon', '2016Q2', '--draws', '50']);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toContain('wrote ');
    const f = readForecast(out);
    expect(f.history.source).toBe(csv);
    expect(f.history.periods.map((p) => p.period)).toEqual(['2012', '2013H1', '2013H2', '2014Q1', '2014Q2', '2014H2']);
    expect(f.target.yearlyShipments).toBe(80e6);
    expect(f.horizon).toEqual({ first: '2012Q1', last: '2016Q2' });
  });
});

describe('caplab forecast with bad input (exit 104, nothing written)', () => {
  it('--history bad.csv lists every problem with file and line', async () => {
    const d = dir('badcsv');
    const bad = join(d, 'bad.csv');
    writeFileSync(bad, 'period,shipments\n2012,7190000\n2013,-5\n2016H1,5e7\n2014,abc\n2015Q7,1\n2016H2,6e7\n');
    const out = join(d, 'out');
    const { code, stdout, stderr } = await runCli(['--out-dir', out, 'forecast', '--history', bad]);
    expect(code).toBe(104);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`caplab: ${bad} is invalid: 3 problems`);
    expect(lines.slice(1)).toEqual([
      `  ${bad}:3: shipments -5 is negative`,
      `  ${bad}:5: shipments "abc" is not a number (phones, e.g. 7190000)`,
      `  ${bad}:6: period "2015Q7" is not a year (2013), half (2013H1) or quarter (2013Q2)`,
    ]);
    expect(existsSync(join(out, 'forecast.json'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('--history bad.json lists every problem with its JSON path', async () => {
    const d = dir('badjson');
    const bad = join(d, 'bad.json');
    writeFileSync(bad, JSON.stringify({ periods: [{ period: '2012', shipments: 7e6 }, { period: '2012', shipments: 7e6 }, { period: '2013', shipments: 0 }, { period: '2014', shipments: 9e6 }] }));
    const out = join(d, 'out');
    const { code, stderr } = await runCli(['--out-dir', out, 'forecast', '--history', bad]);
    expect(code).toBe(104);
    expect(stderr).toContain(`${bad}: periods[1]: period 2012 duplicates ${bad}: periods[0]`);
    expect(stderr).toContain(`${bad}: periods[2]: shipments is 0`);
    expect(existsSync(out)).toBe(false);
  });

  it('a JSON syntax error names the file and line', async () => {
    const d = dir('syntax');
    const bad = join(d, 'h.json');
    writeFileSync(bad, '{\n  "periods": [\n    {"period": "2012", "shipments": 7}\n    {"period": "2013"}\n  ]\n}\n');
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'forecast', '--history', bad]);
    expect(code).toBe(104);
    expect(stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: not valid JSON`));
  });

  it.each([
    [['--history', '/nonexistent/dir/history.csv'], /cannot read history file \/nonexistent\/dir\/history\.csv: no such file/],
    [['--history', 'history.txt'], /expected a \.csv or \.json file/],
    [['--horizon', '2014Q4'], /--horizon: 2014Q4 must come after the last observed quarter 2014Q4/],
    [['--horizon', '2017'], /"2017" is not a quarter like 2017Q4/],
    [['--model', 'cubic'], /--model <name>' argument 'cubic' is invalid/],
    [['--target', '-5'], /"-5" is not a positive number/],
    [['--draws', '2.5'], /"2.5" is not a positive integer/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('forecast %j exits 104 with a clear message', async (args, message) => {
    const d = dir('flags');
    const out = join(d, 'out');
    const { code, stderr } = await runCli(['--out-dir', out, 'forecast', ...args]);
    expect(code).toBe(104);
    expect(stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe('caplab forecast --backtest', () => {
  it('prints each model\'s backtest scores and records them in forecast.json; without the flag there is none', async () => {
    const out = dir('backtest');
    const r = await runCli(['--out-dir', out, 'forecast', '--backtest']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Backtest \(rolling origin, 200 draws per forecast\)/);
    expect(r.stdout).toMatch(/gompertz\s+2014Q2\s+2014H2 \(\+1\)\s+35\.0M/);
    const f = JSON.parse(readFileSync(join(out, 'forecast.json'), 'utf8'));
    expect(f.backtest.scores.map((s: { model: string }) => s.model)).toEqual(['logistic', 'bass', 'gompertz']);
    expect(f.backtest.scores.every((s: { evaluations: number }) => s.evaluations === 10)).toBe(true);
    expect(f.backtest.selection).toMatch(/lowest AICc .*not used to choose/);
    const plain = await runCli(['forecast', '--json']);
    expect('backtest' in JSON.parse(plain.stdout)).toBe(false);
  }, 120_000);

  it('--select crps chooses the model with the lowest mean backtest CRPS, and says so; it needs --backtest', async () => {
    const r = await runCli(['forecast', '--backtest', '--select', 'crps', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    const best = f.backtest.scores.reduce((a: { crps: number }, x: { crps: number }) => (x.crps < a.crps ? x : a));
    expect(f.model.model).toBe(best.model);
    expect(f.model.selection).toMatch(/^lowest mean backtest CRPS \(logistic [\d.]+, bass [\d.]+, gompertz [\d.]+\)$/);
    expect(f.backtest.selection).toMatch(/^chosen by the backtest/);
    const bad = await runCli(['forecast', '--select', 'crps']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/--select crps chooses by the backtest: add --backtest/);
  }, 120_000);
});
