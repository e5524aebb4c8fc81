/**
 * `startStacks`: the library entry point used by `caplab stack up`, the tests and the campaign. Starts one HTTP
 * server per data center on 127.0.0.1, each with its own SQLite file and N emulated nodes.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Problem, ValidationError } from '../models/errors.ts';
import { parseWith } from '../models/validation.ts';
import { DCS } from './api.ts';
import { loadStackData, type NodeParams, NodeParamsSchema, type StackData } from './config.ts';
import { createNode } from './node.ts';
import { createPushNode } from './push-node.ts';
import { type PushParams, PushParamsSchema, type PushScale, scalePushParams } from './push-params.ts';
import { type DcServer, startDcServer } from './server.ts';
import { createServiceTimeSampler } from './service-time.ts';
import { openStore, type Store } from './store.ts';
import { createWanDelay } from './wan.ts';

/** Options of {@link startStacks}. */
export interface StartStacksOptions {
  /** Directory for the SQLite files (`<dc>.sqlite`); created when missing. */
  dataDir: string;
  /** Data centers to start (default: all four of the story). */
  dcs?: string[];
  /** Emulated nodes per data center, served round robin (default 1). */
  nodes?: number;
  /** Port of the first data center; the i-th gets port + i. 0 (default): any free port for each. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Delay responses by the modeled RTT with its jitter (default true). */
  wan?: boolean;
  /** Seed of the service-time draws (default 1). */
  seed?: number;
  /** Overrides of every node's parameters (e.g. a known sigma and kappa in a test). */
  node?: Partial<NodeParams>;
  /** Multiplies every service time (default 1; 0 = no emulated time, for functional tests). */
  serviceTimeScale?: number;
  /**
   * The push service's figures for a measurement (push-params.ts): `connectionScale` (0 < s <= 1) multiplies each
   * node's memory budget and maxConnections, `costScale` (>= 0; 0 = no emulated CPU time) its handshake, heartbeat
   * and delivery CPU times; `node` then overrides figures outright (e.g. `{maxConnections: 20, cores: 2}`). With
   * costScale = 1 / connectionScale a node of N x s sessions is as busy as the real one at N, latencies x costScale.
   */
  push?: PushScale & { node?: Partial<PushParams> };
  /** The data files' content (default: loaded from data/). */
  data?: StackData;
  /** Called with unexpected errors (bugs) answered 500. */
  onError?: (err: unknown) => void;
}

/** Running stacks. */
export interface RunningStacks {
  /** Data center -> base URL. */
  urls: Record<string, string>;
  /** Stops every server (finishing in-flight requests) and closes every database. */
  stop(): Promise<void>;
}

const OptionsSchema = z.looseObject({
  dataDir: z.string().min(1),
  dcs: z.array(z.string()).min(1).optional(),
  nodes: z.number().int().min(1).max(256).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  wan: z.boolean().optional(),
  seed: z.number().int().nonnegative().optional(),
  node: NodeParamsSchema.partial().optional(),
  serviceTimeScale: z.number().finite().min(0).optional(),
  push: z.object({
    connectionScale: z.number().gt(0).max(1).optional(),
    costScale: z.number().finite().min(0).optional(),
    node: PushParamsSchema.partial().optional(),
  }).optional(),
});

/**
 * Starts one server per data center.
 * @param options see {@link StartStacksOptions}
 * @returns URLs and a stop function
 * @throws {ValidationError} for bad options (unknown data center, ports past 65535, ...) or data files, every problem listed
 * @throws {Error} when a port cannot be bound or a database cannot be opened (servers already started are stopped)
 */
export async function startStacks(options: StartStacksOptions): Promise<RunningStacks> {
  parseWith(OptionsSchema, options, 'stack options');
  const data = options.data ?? loadStackData();
  const dcs = options.dcs ?? [...DCS];
  const port = options.port ?? 0;
  const problems: Problem[] = [
    ...dcs.flatMap((dc, i) => (dc in data.hardware.dcs ? [] : [{ where: `stack options: dcs[${i}]`, message: `unknown data center "${dc}" (known: ${Object.keys(data.hardware.dcs).join(', ')})` }])),
    ...(port > 0 && port + dcs.length - 1 > 65535 ? [{ where: 'stack options: port', message: `ports ${port}..${port + dcs.length - 1} go past 65535` }] : []),
    ...(new Set(dcs).size !== dcs.length ? [{ where: 'stack options: dcs', message: 'a data center is listed twice' }] : []),
    ...dcs.flatMap((dc) => (dc in data.hardware.dcs ? resolvePush(data, dc, options.push).problems : [])),
  ];
  if (problems.length > 0) throw new ValidationError('stack options are invalid', problems);
  mkdirSync(options.dataDir, { recursive: true });
  const seed = options.seed ?? 1;
  const started: Array<{ server: DcServer; store: Store }> = [];
  const urls: Record<string, string> = {};
  try {
    for (const [i, dc] of dcs.entries()) {
      const profile = data.hardware.profiles[data.hardware.dcs[dc]!.profile]!;
      const params: NodeParams = { workers: profile.workers, sigma: profile.sigma, kappa: profile.kappa, queue: profile.queue, ...options.node };
      const nodes = Array.from({ length: options.nodes ?? 1 }, (_, n) =>
        createNode(params, createServiceTimeSampler(data.services.routes, seed, `${dc}/${n}`, options.serviceTimeScale ?? 1)));
      const pushParams = resolvePush(data, dc, options.push).params;
      const push = pushParams ? nodes.map((_, n) => createPushNode(pushParams, seed, `${dc}/${n}`)) : [];
      const store = openStore(join(resolve(options.dataDir), `${dc}.sqlite`));
      try {
        const server = await startDcServer({
          dc, host: options.host ?? '127.0.0.1', port: port === 0 ? 0 : port + i, store, data, nodes, push,
          ...((options.wan ?? true) ? { wan: createWanDelay(data.rtt, dc, seed) } : {}),
          ...(options.onError ? { onError: options.onError } : {}),
        });
        started.push({ server, store });
        urls[dc] = server.url;
      } catch (err) {
        store.close();
        throw err;
      }
    }
  } catch (err) {
    await stopAll(started);
    throw err;
  }
  return { urls, stop: () => stopAll(started) };
}

async function stopAll(started: Array<{ server: DcServer; store: Store }>): Promise<void> {
  await Promise.all(started.map(async ({ server, store }) => {
    await server.stop();
    store.close();
  }));
}

/**
 * A data center's push figures: its profile's `push` block scaled, then overridden. A profile without one gives no
 * push service, unless the overrides name every figure.
 */
function resolvePush(data: StackData, dc: string, opts: StartStacksOptions['push'] = {}): { params?: PushParams; problems: Problem[] } {
  const profileName = data.hardware.dcs[dc]!.profile;
  const base = data.hardware.profiles[profileName]?.push;
  const { node: override = {}, ...scale } = opts;
  if (!base && Object.keys(override).length === 0) return { problems: [] };
  const r = PushParamsSchema.safeParse({ ...(base ? scalePushParams(base, scale) : {}), ...override });
  if (r.success) return { params: r.data, problems: [] };
  return {
    problems: r.error.issues.map((i) => ({
      where: `stack options: push.node.${i.path.join('.')}`,
      message: base ? i.message : `${i.message} (profile "${profileName}" of ${dc} has no push block, so every figure must be given)`,
    })),
  };
}
