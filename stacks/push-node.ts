/**
 * An emulated node's push service, in virtual time like node.ts: a session limit (memory budget / memory per session,
 * or maxConnections when lower; past it the handshake is refused) and a CPU of `cores` cores (cpu-queue.ts) that
 * takes every handshake, heartbeat and delivery for its seeded lognormal CPU time. A delivery's latency is its wait
 * for a core plus its cost, so with sessions x heartbeat rate x heartbeatCpuMs + deliveries/s x deliveryCpuMs
 * approaching `cores`, latency climbs as in M/M/c: mean wait = ErlangC(c, A) / (c/S - lambda).
 */
import { createRng, type Rng } from '../models/random.ts';
import { createCpuQueue, type CpuJob } from './cpu-queue.ts';
import { type PushParams, pushSessionLimit } from './push-params.ts';
import { lognormal } from './service-time.ts';

/** The kinds of push work, each with its own CPU time in the parameters. */
export type PushWork = 'handshake' | 'heartbeat' | 'delivery';

const COST: Record<PushWork, 'handshakeCpuMs' | 'heartbeatCpuMs' | 'deliveryCpuMs'> = {
  handshake: 'handshakeCpuMs',
  heartbeat: 'heartbeatCpuMs',
  delivery: 'deliveryCpuMs',
};

/** Counters and gauges of one node's push service. */
export interface PushNodeStats {
  /** Sessions open or opening now (a handshake holds its slot while it waits for the CPU). */
  sessions: number;
  /** Session limit. */
  limit: number;
  /** Sessions admitted since start. */
  admitted: number;
  /** Cores c. */
  cores: number;
  /** Jobs waiting for a core or in service now. */
  inSystem: number;
  /** Modeled CPU time of the jobs done, ms. */
  busyMs: number;
  /** Summed timer lateness of those jobs, ms. */
  lateMs: number;
}

/** One node's push service. */
export interface PushNode {
  /** Its parameters (after any scaling). */
  readonly params: PushParams;
  /** Sessions it holds at most. */
  readonly limit: number;
  /**
   * Takes a session slot when one is free.
   * @returns false when the node is at its limit
   */
  admit(): boolean;
  /** Gives a slot back (the session closed or its handshake failed). */
  release(): void;
  /**
   * Runs one piece of push work on the node's CPU.
   * @param kind handshake, heartbeat or delivery
   * @returns when it is done: its modeled wait and cost
   */
  work(kind: PushWork): Promise<CpuJob>;
  /** Current counters. */
  stats(): PushNodeStats;
}

/**
 * Creates one node's push service.
 * @param params push parameters (see data/hardware.json `push`)
 * @param seed stack seed
 * @param label the node's name, e.g. `singapore/0`, so nodes draw independent cost streams
 * @returns the node
 * @throws {RangeError} when params.cores is not a positive integer
 */
export function createPushNode(params: PushParams, seed: number, label: string): PushNode {
  const limit = pushSessionLimit(params);
  const cpu = createCpuQueue(params.cores);
  // One stream per kind, so the k-th heartbeat's cost does not depend on how deliveries interleave with it.
  const rngs = new Map<PushWork, Rng>();
  let sessions = 0;
  let admitted = 0;
  return {
    params,
    limit,
    admit() {
      if (sessions >= limit) return false;
      sessions++;
      admitted++;
      return true;
    },
    release() {
      if (sessions > 0) sessions--;
    },
    work(kind) {
      let rng = rngs.get(kind);
      if (!rng) {
        rng = createRng(seed, `stacks.push.${label}.${kind}`);
        rngs.set(kind, rng);
      }
      return cpu.run(lognormal(rng, params[COST[kind]], params.costCv));
    },
    stats() {
      const c = cpu.stats();
      return { sessions, limit, admitted, cores: c.cores, inSystem: c.inSystem, busyMs: c.busyMs, lateMs: c.lateMs };
    },
  };
}
