/**
 * Test helpers for the stacks: start real stacks in a temp directory, and a small JSON client over node's fetch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningStacks, startStacks, type StartStacksOptions } from '../../stacks/start.ts';

/** Running stacks plus their temp directory, removed by `close`. */
export interface TestStacks extends RunningStacks {
  /** The temp directory holding the SQLite files. */
  dir: string;
  /** Unexpected errors (bugs) the servers answered with 500; tests expect it to stay empty. */
  errors: unknown[];
  /** Stops the stacks and removes the directory. */
  close(): Promise<void>;
}

/**
 * Starts stacks with SQLite files in a fresh temp directory.
 * @param opts options other than dataDir (default: no WAN, no emulated service time)
 * @returns the stacks
 */
export async function startTestStacks(opts: Omit<StartStacksOptions, 'dataDir'> = {}): Promise<TestStacks> {
  const dir = mkdtempSync(join(tmpdir(), 'caplab-stacks-'));
  const errors: unknown[] = [];
  const s = await startStacks({ wan: false, serviceTimeScale: 0, ...opts, dataDir: dir, onError: (e) => errors.push(e) });
  return {
    ...s,
    dir,
    errors,
    async close() {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON response. */
export interface JsonResponse {
  /** Status. */
  status: number;
  /** Headers. */
  headers: Headers;
  /** Parsed JSON body (or the text when not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends a request and parses the JSON answer.
 * @param base base URL
 * @param method HTTP method
 * @param path path with query
 * @param opts JSON body, bearer token, extra headers, raw body
 * @returns status, headers, body
 */
export async function call(base: string, method: string, path: string, opts: { json?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.raw;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * Registers a user and returns its token.
 * @param base base URL
 * @param userId id
 * @param country ISO code
 * @returns the bearer token
 */
export async function register(base: string, userId: string, country = 'SG'): Promise<string> {
  const r = await call(base, 'POST', '/v1/devices/register', {
    json: { userId, deviceSecret: `secret-of-${userId}-0123456789`, country, deviceModel: 'Mi 4', osVersion: 'MIUI 6' },
  });
  if (r.status !== 200) throw new Error(`register ${userId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
