/**
 * Open push sessions: each one's ordered, modeled writes, and the data center's index of sessions by user that
 * message delivery looks recipients up in.
 *
 * Every write a session makes (pong, echo, message) first takes its work's modeled CPU time on the session's node and
 * is then written after every earlier write of the same session: a real server writes one connection from one thread
 * in order, so a frame that finishes early on another core waits for the one ahead of it (head-of-line), and a device
 * never sees message 7 before message 6.
 */
import { WebSocket } from 'ws';
import { nowNs } from './clock.ts';
import type { PushNode, PushWork } from './push-node.ts';

/** One open session. */
export interface PushSession {
  /** The authenticated user. */
  readonly userId: string;
  /** Index of the node holding it (metrics label). */
  readonly nodeIndex: number;
  /** The node holding it. */
  readonly node: PushNode;
  /** The socket. */
  readonly ws: WebSocket;
  /** Sends a frame the server starts (a message) to the device: at once, unless the endpoint models the WAN. */
  toDevice: (frame: string) => void;
  /**
   * Runs `kind` work on the session's node, then calls `write` (if the socket is still open) after the session's
   * earlier writes.
   * @param kind the work whose CPU time the write costs
   * @param write sends the frame
   * @returns ms from this call to the write, or undefined when the session closed first; never rejects
   */
  schedule(kind: PushWork, write: () => void): Promise<number | undefined>;
}

/**
 * Wraps an open socket as a session.
 * @param ws the open socket
 * @param userId its user
 * @param node the node holding it
 * @param nodeIndex that node's index
 * @returns the session
 */
export function createPushSession(ws: WebSocket, userId: string, node: PushNode, nodeIndex: number): PushSession {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    userId, nodeIndex, node, ws,
    toDevice: (frame) => ws.send(frame),
    schedule(kind, write) {
      const t0 = nowNs();
      const job = node.work(kind);
      const written = Promise.all([tail, job]).then(() => {
        if (ws.readyState !== WebSocket.OPEN) return undefined;
        write();
        return Number(nowNs() - t0) / 1e6;
      }).catch(() => {
        // A send that failed on a socket closing under it (its 'close' follows), or work the CPU refused: not written.
        return undefined;
      });
      tail = written;
      return written;
    },
  };
}

/** The data center's open sessions by user. */
export interface SessionIndex {
  /** Adds an open session. */
  add(s: PushSession): void;
  /** Removes a session (idempotent). */
  remove(s: PushSession): void;
  /**
   * The user's open sessions on this data center.
   * @param userId user id
   * @returns the sessions (empty when none)
   */
  of(userId: string): readonly PushSession[];
  /** Every open session. */
  all(): PushSession[];
}

/**
 * Creates an empty index.
 * @returns the index
 */
export function createSessionIndex(): SessionIndex {
  const byUser = new Map<string, Set<PushSession>>();
  return {
    add(s) {
      let set = byUser.get(s.userId);
      if (!set) {
        set = new Set();
        byUser.set(s.userId, set);
      }
      set.add(s);
    },
    remove(s) {
      const set = byUser.get(s.userId);
      if (!set) return;
      set.delete(s);
      // Drop empty entries: a day of reconnecting devices would otherwise keep one per user ever seen.
      if (set.size === 0) byUser.delete(s.userId);
    },
    of: (userId) => [...(byUser.get(userId) ?? [])],
    all: () => [...byUser.values()].flatMap((set) => [...set]),
  };
}
