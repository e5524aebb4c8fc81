/**
 * Erlang B and Erlang C, and the M/M/c queue built on them (Poisson arrivals, exponential service, c identical
 * servers, one FIFO queue without limit).
 *
 * Erlang B comes from the recursion B(0) = 1, B(c) = A·B(c−1) / (c + A·B(c−1)): every step is a ratio of
 * quantities in [0, A], so it never forms A^c or c! and stays finite and accurate at thousands of servers
 * (the textbook sum of A^k/k! overflows a double past c ≈ 170). Erlang C follows from B exactly:
 * C = c·B / (c − A(1 − B)).
 *
 * Unstable systems (offered load A >= c servers) are not errors: the queue grows without bound, so
 * P(wait) = 1 and the mean wait is Infinity, and {@link MmcResult.stable} is false. Callers that print JSON
 * write null for that Infinity.
 */

/** An M/M/c queue. */
export interface MmcQueue {
  /** Arrival rate λ, requests per second (> 0). */
  arrivalRate: number;
  /** Mean service time S = 1/μ, seconds (> 0). */
  serviceTime: number;
  /** Number of servers c (a positive integer). */
  servers: number;
}

/** Steady-state figures of an M/M/c queue. */
export interface MmcResult {
  /** Offered load A = λS, erlangs. */
  offeredLoad: number;
  /** Utilization ρ = A/c (>= 1 means unstable). */
  utilization: number;
  /** Probability that a request waits, Erlang C(c, A); 1 when unstable. */
  pWait: number;
  /** Mean wait in the queue Wq = C/(cμ − λ), seconds; Infinity when unstable. */
  meanWait: number;
  /** Mean response time Wq + S, seconds; Infinity when unstable. */
  meanResponse: number;
  /** Whether A < c (the queue has a steady state). */
  stable: boolean;
}

/**
 * Erlang B: probability that a request finds all c servers busy in a loss system (M/M/c/c) with offered load A.
 * @param load offered load A in erlangs (>= 0, finite)
 * @param servers number of servers c (a non-negative integer; B = 1 for c = 0)
 * @returns blocking probability in [0, 1]
 * @throws {RangeError} when load is negative or not finite, or servers is not a non-negative safe integer
 * @example erlangB(2, 2) // 0.4
 */
export function erlangB(load: number, servers: number): number {
  checkLoad('erlangB', load);
  if (!Number.isSafeInteger(servers) || servers < 0) {
    throw new RangeError(`erlangB: servers must be a non-negative integer, got ${servers}`);
  }
  // Warm start: far below c = A the recursion forgets its starting value (each step scales an error by about c/A),
  // so starting k = 12 standard deviations below A at the asymptote B ~ 1 - c/A leaves an error near e^(-k^2/2)
  // ~ 1e-31 by c = A, and errors never grow above A. This makes sizing O(sqrt(A) + c - A) instead of O(c).
  const start = Math.floor(load - 12 * Math.sqrt(load) - 12);
  let c0 = 0;
  let b = 1;
  if (start > 0 && servers > start) {
    c0 = start;
    b = 1 - c0 / load;
  }
  for (let c = c0 + 1; c <= servers; c++) b = (load * b) / (c + load * b);
  return b;
}

/**
 * Erlang C: probability that a request waits in an M/M/c queue with offered load A, from Erlang B.
 * @param load offered load A in erlangs (>= 0, finite)
 * @param servers number of servers c (a non-negative integer)
 * @returns P(wait) in [0, 1]; exactly 1 when A >= c (unstable: every request eventually waits)
 * @throws {RangeError} as {@link erlangB}
 * @example erlangC(48, 55) // 0.2387 (360 calls per half hour of 4 minutes on 55 agents)
 */
export function erlangC(load: number, servers: number): number {
  const b = erlangB(load, servers);
  if (load >= servers) return 1;
  return erlangCFromB(load, servers, b);
}

/**
 * Steady state of an M/M/c queue: utilization, P(wait), mean wait and mean response.
 * @param q arrival rate (requests/s), mean service time (s), servers
 * @returns the figures; when A >= c, pWait 1, meanWait and meanResponse Infinity, stable false
 * @throws {RangeError} when a rate or time is not positive and finite, or servers is not a positive integer
 * @example mmc({ arrivalRate: 0.2, serviceTime: 240, servers: 55 }).meanWait // 8.18 s
 */
export function mmc(q: Readonly<MmcQueue>): MmcResult {
  checkQueue('mmc', q.arrivalRate, q.serviceTime);
  if (!Number.isSafeInteger(q.servers) || q.servers < 1) {
    throw new RangeError(`mmc: servers must be a positive integer, got ${q.servers}`);
  }
  const A = q.arrivalRate * q.serviceTime;
  const c = q.servers;
  const utilization = A / c;
  if (A >= c) {
    return { offeredLoad: A, utilization, pWait: 1, meanWait: Infinity, meanResponse: Infinity, stable: false };
  }
  const pWait = erlangCFromB(A, c, erlangB(A, c));
  // Wq = C / (cμ − λ) = C·S / (c − A): the second form keeps seconds without forming μ.
  const meanWait = (pWait * q.serviceTime) / (c - A);
  return { offeredLoad: A, utilization, pWait, meanWait, meanResponse: meanWait + q.serviceTime, stable: true };
}

/**
 * Fewest servers whose mean queueing wait Wq is at most a target (Erlang C sizing).
 * Walks c upward from the first stable count, carrying Erlang B along the recursion, so the cost is O(A + steps).
 * @param q arrival rate (requests/s), mean service time (s) and the target mean wait (s, > 0)
 * @returns the smallest c with A < c and Wq(c) <= targetWait
 * @throws {RangeError} when an input is not positive and finite
 * @example serversForWait({ arrivalRate: 0.2, serviceTime: 240, targetWait: 20 }) // 53
 */
export function serversForWait(q: { arrivalRate: number; serviceTime: number; targetWait: number }): number {
  checkQueue('serversForWait', q.arrivalRate, q.serviceTime);
  if (!(Number.isFinite(q.targetWait) && q.targetWait > 0)) {
    throw new RangeError(`serversForWait: targetWait must be a positive number of seconds, got ${q.targetWait}`);
  }
  const A = q.arrivalRate * q.serviceTime;
  const first = Math.floor(A) + 1; // first stable count: A < c
  let b = erlangB(A, first);
  // Wq falls faster than geometrically once c passes A + a few sqrt(A); B underflows to 0 at the latest, where
  // Wq = 0 meets any positive target, so the loop ends. The bound only guards against a logic error.
  const limit = first + 100 * Math.ceil(Math.sqrt(A)) + 10_000;
  for (let c = first; c <= limit; c++) {
    if (c > first) b = (A * b) / (c + A * b);
    const wq = (erlangCFromB(A, c, b) * q.serviceTime) / (c - A);
    if (wq <= q.targetWait) return c;
  }
  throw new RangeError(`serversForWait: no server count up to ${limit} meets a mean wait of ${q.targetWait} s`);
}

/** Erlang C from Erlang B for a stable system (A < c). */
function erlangCFromB(A: number, c: number, b: number): number {
  return (c * b) / (c - A * (1 - b));
}

function checkLoad(fn: string, load: number): void {
  if (!(Number.isFinite(load) && load >= 0)) throw new RangeError(`${fn}: load must be a non-negative number of erlangs, got ${load}`);
}

function checkQueue(fn: string, rate: number, serviceTime: number): void {
  if (!(Number.isFinite(rate) && rate > 0)) throw new RangeError(`${fn}: arrivalRate must be a positive number of requests/s, got ${rate}`);
  if (!(Number.isFinite(serviceTime) && serviceTime > 0)) throw new RangeError(`${fn}: serviceTime must be a positive number of seconds, got ${serviceTime}`);
}
