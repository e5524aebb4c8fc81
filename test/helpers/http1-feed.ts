/**
 * Test helper: feeds HTTP/1.x responses to Http1ResponseParser cut into pieces at chosen byte boundaries, through a
 * view of the whole message, fresh copies, or one reused buffer scribbled over around each feed (as the connection's
 * shared read buffer is), and checks that every split gives the same outcome.
 */
import { Http1ResponseParser, HttpParseError } from '../../scenarios/engine/http1-parser.ts';

/** One response to parse and what must come of it. */
export interface Case {
  name: string;
  /** The response, then bytes that follow it on the connection (not part of it). */
  msg: Buffer;
  keepBody?: boolean;
  head?: boolean;
  status: number;
  /** Expected kept body (latin1); '' when not kept. */
  body: string;
  bodySize: number;
  keepAlive: boolean;
  /** Index just past the response ({@link END}: the whole message); -1 when the body runs until the connection closes. */
  at: number;
}

/** The response ends with the message. */
export const END = -2;

/** What parsing gave. */
export interface Outcome {
  status: number;
  body: string;
  bodySize: number;
  keepAlive: boolean;
  at: number;
}

/** How pieces reach the parser: views of the whole message, fresh copies, or one reused buffer. */
export type Mode = 'view' | 'copy' | 'shared';

/** Latin1 bytes of a string. */
export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Bytes that would mislead a parser reading past `end`: terminators, chunk sizes, status lines. */
const GARBAGE = b('\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n0\r\n\r\n\n\r\n5\r\nxxxxx\r\n');

/** One reused buffer, as the connection's onread buffer: garbage around each piece, scribbled after each feed. */
export class SharedBuffer {
  readonly buf = Buffer.allocUnsafe(1 << 17);
  #n = 0;
  #scribble(): void {
    this.#n++;
    if (this.#n % 2 === 0) this.buf.fill(GARBAGE);
    else this.buf.fill(0xff);
  }
  feed(p: Http1ResponseParser, piece: Buffer): number {
    this.#scribble();
    const off = this.#n % 13;
    piece.copy(this.buf, off);
    const r = p.feed(this.buf, off, off + piece.length);
    this.#scribble();
    return r < 0 ? r : r - off;
  }
}

/**
 * Feeds `msg` cut at `cuts` (sorted, inside (0, length)).
 * @returns the outcome, with `at` global; eof() is called when nothing completed the response
 */
export function run(msg: Buffer, cuts: readonly number[], keepBody: boolean, head: boolean, mode: Mode, shared?: SharedBuffer, p = new Http1ResponseParser()): Outcome {
  p.reset(keepBody, head);
  let at = -1;
  let prev = 0;
  for (const end of [...cuts, msg.length]) {
    let r: number;
    if (mode === 'view') r = p.feed(msg, prev, end);
    else if (mode === 'copy') { const c = Buffer.from(msg.subarray(prev, end)); r = p.feed(c, 0, c.length); if (r >= 0) r += prev; }
    else { r = shared!.feed(p, msg.subarray(prev, end)); if (r >= 0) r += prev; }
    if (r >= 0) {
      if (r < prev || r > end) throw new Error(`feed returned ${r} outside [${prev}, ${end}]`);
      at = r;
      break;
    }
    prev = end;
  }
  if (at < 0) {
    if (!p.untilClose) throw new Error('response incomplete and not delimited by close');
    if (!p.eof()) throw new Error('eof() did not complete a close-delimited body');
  }
  if (!p.done) throw new Error('parser not done');
  return { status: p.status, body: p.takeBody().toString('latin1'), bodySize: p.bodySize, keepAlive: p.keepAlive, at };
}

/** The outcome a case expects. */
export const expected = (c: Case): Outcome => ({ status: c.status, body: c.body, bodySize: c.bodySize, keepAlive: c.keepAlive, at: c.at === END ? c.msg.length : c.at });

function describeCuts(cuts: readonly number[]): string {
  return cuts.length > 20 ? `${cuts.length + 1} pieces` : `cuts [${cuts.join(',')}]`;
}

/**
 * Every split of the case: whole, two pieces at every boundary (each mode), one byte at a time (each mode), and
 * three pieces at every pair of boundaries (shared buffer) when the message is small.
 * @returns mismatch descriptions (empty when all agree with the expectation)
 */
export function everySplit(c: Case): string[] {
  const want = expected(c);
  const shared = new SharedBuffer();
  const problems: string[] = [];
  const reused = new Http1ResponseParser();
  const check = (cuts: number[], mode: Mode): void => {
    let got: Outcome | string;
    try {
      got = run(c.msg, cuts, c.keepBody ?? true, c.head ?? false, mode, shared, reused);
    } catch (err) {
      got = `threw ${(err as Error).message}`;
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${mode} ${describeCuts(cuts)}: ${JSON.stringify(got)}`);
  };
  const modes: Mode[] = ['view', 'copy', 'shared'];
  const n = c.msg.length;
  for (const mode of modes) {
    check([], mode);
    for (let i = 1; i < n; i++) check([i], mode);
    check(Array.from({ length: n - 1 }, (_, i) => i + 1), mode);
  }
  if (n <= 260) {
    for (let i = 1; i < n; i++) for (let j = i + 1; j < n; j++) check([i, j], 'shared');
  }
  return problems.slice(0, 10);
}

/** Feeds `msg` cut at `cuts` through the shared buffer; true when some feed threw HttpParseError. */
export function throwsAt(msg: Buffer, cuts: number[], shared: SharedBuffer): boolean | string {
  const p = new Http1ResponseParser();
  p.reset(true, false);
  let prev = 0;
  try {
    for (const end of [...cuts, msg.length]) {
      if (shared.feed(p, msg.subarray(prev, end)) >= 0) return 'completed';
      prev = end;
    }
  } catch (err) {
    return err instanceof HttpParseError ? true : `threw ${String(err)}`;
  }
  return 'needs more';
}
