/**
 * Virtual users: each has its own connections, variables and once-steps, and a test-wide number that stays unique
 * across execution segments (k6's `exec.vu.idInTest`). VUs live in one pool for the whole run: a scenario takes
 * idle ones and creates more when it needs them, as k6 reuses initialized VUs between scenarios.
 */
import type { ExecutionTuple } from './segments.ts';
import { CookieJar } from './cookie-jar.ts';
import { VuHttp, type VuHttpOptions } from './vu-http.ts';

/** Where users come from: user i for VU i (mod count). */
export interface UserSource {
  /** Number of distinct users. */
  count: number;
  /**
   * User record i.
   * @param i 0-based index below count
   */
  get(i: number): Readonly<Record<string, unknown>>;
}

/** One virtual user. */
export class Vu {
  /** 1-based number within this instance (k6 `__VU`). */
  readonly idInInstance: number;
  /** 1-based number in the whole test, unique across segments (k6 `exec.vu.idInTest`). */
  readonly idInTest: number;
  /** The VU's user (picked by its test-wide number). */
  readonly user: Readonly<Record<string, unknown>>;
  /** Variables: setup values first, then whatever steps extract. */
  readonly vars: Record<string, unknown>;
  /** Keys of once-steps this VU has completed. */
  readonly onceDone = new Set<string>();
  /** The VU's HTTP connections. */
  readonly http: VuHttp;
  /** The VU's cookies (k6: one jar per VU, emptied at each iteration's start unless noCookiesReset). */
  readonly jar = new CookieJar();
  /** Iterations this VU started (k6 `__ITER` is this minus one during an iteration). */
  iterations = 0;
  /** Set when the VU must abandon its iteration (graceful stop or ramp-down ran out, or the test was interrupted). */
  interrupted = false;
  /** Closes what the iteration holds open besides HTTP (a WebSocket session) when the VU is interrupted. */
  onInterrupt: (() => void) | undefined;
  #wake: (() => void) | undefined;

  /**
   * @param idInInstance 1-based local number
   * @param idInTest 1-based test-wide number
   * @param user the user record
   * @param vars initial variables (copied)
   */
  constructor(idInInstance: number, idInTest: number, user: Readonly<Record<string, unknown>>, vars: Readonly<Record<string, unknown>>, http: VuHttpOptions = {}) {
    this.http = new VuHttp(http);
    this.idInInstance = idInInstance;
    this.idInTest = idInTest;
    this.user = user;
    this.vars = { ...vars };
  }

  /**
   * Sleeps (k6 `sleep`), ending early when the VU is interrupted.
   * @param ms milliseconds
   */
  sleep(ms: number): Promise<void> {
    if (this.interrupted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#wake = undefined; resolve(); }, ms);
      this.#wake = () => { clearTimeout(t); this.#wake = undefined; resolve(); };
    });
  }

  /** Abandons the current iteration: aborts its request and wakes it from sleep. */
  interrupt(): void {
    this.interrupted = true;
    this.http.interrupt();
    this.onInterrupt?.();
    this.#wake?.();
  }
}

/** VUs made between two turns of the event loop in {@link VuPool.create}: about 20-40 ms of work. */
const CREATE_BATCH = 2000;

/** All VUs of a run; hands idle VUs to scenarios and creates new ones on demand. */
export class VuPool {
  readonly #idle: Vu[] = [];
  readonly #all: Vu[] = [];
  readonly #tuple: ExecutionTuple;
  readonly #users: UserSource | undefined;
  readonly #http: VuHttpOptions;
  #initialVars: Readonly<Record<string, unknown>> = {};
  /** VUs currently running a scenario (k6 `vus`). */
  active = 0;

  /**
   * @param tuple this instance's execution segment, for test-wide VU numbers
   * @param users the users VUs act as (none: `{{user.*}}` fails)
   * @param http transport options of every VU (k6's `insecureSkipTLSVerify`)
   */
  constructor(tuple: ExecutionTuple, users?: UserSource, http: VuHttpOptions = {}) {
    this.#tuple = tuple;
    this.#users = users;
    this.#http = http;
  }

  /** Variables every VU created from now on starts with (the setup flow's results). */
  setInitialVars(vars: Readonly<Record<string, unknown>>): void {
    this.#initialVars = vars;
  }

  /** VUs created so far (k6 `vus_max`). */
  get created(): number {
    return this.#all.length;
  }

  /**
   * Creates VUs and leaves them idle (k6 initializes planned VUs before the test starts); they are handed out
   * lowest number first. Made in batches that let the event loop run between them, so a signal is heard while
   * hundreds of thousands are made (measured at 15-20 us each); it stops early when `signal` aborts.
   * @param n how many
   * @param signal stops the creation (the test is stopping)
   */
  async create(n: number, signal?: AbortSignal): Promise<void> {
    const made: Vu[] = [];
    for (let i = 0; i < n; i++) {
      made.push(this.#make());
      if (i % CREATE_BATCH === CREATE_BATCH - 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal?.aborted) break;
      }
    }
    // Idle VUs are popped from the end: lowest number last. (No spread: it overflows the stack past ~100k VUs.)
    for (let i = made.length - 1; i >= 0; i--) this.#idle.push(made[i]!);
  }

  #make(): Vu {
    const local = this.#all.length + 1;
    const idInTest = this.#tuple.unscaledIndex(local - 1) + 1;
    const user = this.#users && this.#users.count > 0 ? this.#users.get((idInTest - 1) % this.#users.count) : {};
    const vu = new Vu(local, idInTest, user, this.#initialVars, this.#http);
    this.#all.push(vu);
    return vu;
  }

  /** Takes an idle VU, creating one when none is idle; the caller must {@link VuPool.release} it. */
  acquire(): Vu {
    const vu = this.#idle.pop() ?? this.#make();
    vu.interrupted = false;
    this.active++;
    return vu;
  }

  /** Returns a VU taken with {@link VuPool.acquire}. */
  release(vu: Vu): void {
    this.active--;
    this.#idle.push(vu);
  }

  /** Interrupts every VU (the test is stopping now). */
  interruptAll(): void {
    for (const vu of this.#all) vu.interrupt();
  }

  /** Closes every VU's connections. */
  async close(): Promise<void> {
    // Only VUs that opened a connection: a promise per VU cost 1.4 s for 200,000 VUs, most never used, at the stop.
    const open: Promise<void>[] = [];
    for (const vu of this.#all) if (vu.http.hasConnections) open.push(vu.http.close());
    await Promise.all(open);
  }
}
