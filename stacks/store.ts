/**
 * A data center's storage: one SQLite file (better-sqlite3), WAL journal, schema from migrations.ts. All statements
 * are prepared once; every query is scoped by user id, so scoping is not left to callers' care.
 *
 * Durability: `synchronous = NORMAL` in WAL mode makes a commit durable against a crash of the *process* (kill -9):
 * the WAL frames are written to the OS before the commit returns, and the next open replays them. Only an OS crash
 * or power loss could lose the last commits; FULL would add an fsync to every acknowledged write, i.e. real disk
 * time on this shared machine that the emulated node does not model.
 */
import Database from 'better-sqlite3';
import type { Contact, ContactChange, ContactVersion, Message, Photo } from './api.ts';
import { migrate } from './migrations.ts';

/** A stored user. */
export interface UserRow {
  /** User id. */
  id: string;
  /** SHA-256 of the device secret. */
  secretHash: Buffer;
  /** ISO country. */
  country: string;
}

/** Outcome of a contacts sync: the new versions, or the current versions of the stale contacts (nothing written). */
export type SyncOutcome = { ok: true; versions: ContactVersion[] } | { ok: false; current: ContactVersion[] };

/** One data center's database. */
export interface Store {
  /** Path of the SQLite file. */
  readonly path: string;
  /** A user by id, or undefined. */
  getUser(id: string): UserRow | undefined;
  /** Creates a user and a token for it in one transaction. */
  createUserWithToken(user: { id: string; secretHash: Buffer; country: string; deviceModel: string | null; osVersion: string | null }, tokenHash: Buffer): void;
  /** Adds a token for an existing user. */
  addToken(userId: string, tokenHash: Buffer): void;
  /** The user a token hash belongs to, or undefined. */
  userByToken(tokenHash: Buffer): UserRow | undefined;
  /** Applies a batch of contact changes all or nothing (see {@link SyncOutcome}). */
  syncContacts(userId: string, changes: ContactChange[]): SyncOutcome;
  /** The user's contacts with id > after, ordered by id. */
  listContacts(userId: string, after: string, limit: number): Contact[];
  /** Stores a message; returns its seq. */
  addMessage(userId: string, m: Omit<Message, 'seq'>): number;
  /** The user's messages with seq > since, oldest first. */
  listMessages(userId: string, since: number, limit: number): Message[];
  /** Stores a photo's metadata. */
  addPhoto(userId: string, p: Photo): void;
  /** One of the user's photos, or undefined (also when it belongs to someone else). */
  getPhoto(userId: string, id: string): Photo | undefined;
  /** Closes the database (checkpoints the WAL). */
  close(): void;
}

/**
 * Opens (creating when missing) a data center's database and migrates it to the newest schema.
 * @param path SQLite file path; its directory must exist
 * @returns the store
 * @throws {Error} when the file cannot be opened or its schema is newer than this code
 */
export function openStore(path: string): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const userById = db.prepare<[string], { id: string; secret_hash: Buffer; country: string }>(
    'SELECT id, secret_hash, country FROM users WHERE id = ?');
  const insertUser = db.prepare('INSERT INTO users (id, secret_hash, country, device_model, os_version, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertToken = db.prepare('INSERT INTO tokens (hash, user_id, created_at) VALUES (?, ?, ?)');
  const userByTokenStmt = db.prepare<[Buffer], { id: string; secret_hash: Buffer; country: string }>(
    'SELECT u.id, u.secret_hash, u.country FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?');
  const contactVersion = db.prepare<[string, string], { version: number }>('SELECT version FROM contacts WHERE user_id = ? AND id = ?');
  const upsertContact = db.prepare(`INSERT INTO contacts (user_id, id, version, name, phone, email, deleted, updated_at)
    VALUES (@userId, @id, @version, @name, @phone, @email, @deleted, @now)
    ON CONFLICT (user_id, id) DO UPDATE SET version = excluded.version, name = excluded.name, phone = excluded.phone,
      email = excluded.email, deleted = excluded.deleted, updated_at = excluded.updated_at`);
  const listContactsStmt = db.prepare<[string, string, number], { id: string; version: number; name: string | null; phone: string | null; email: string | null; deleted: number }>(
    'SELECT id, version, name, phone, email, deleted FROM contacts WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?');
  const insertMessage = db.prepare('INSERT INTO messages (user_id, peer, body, direction, sent_at) VALUES (?, ?, ?, ?, ?)');
  const listMessagesStmt = db.prepare<[string, number, number], { seq: number; peer: string; body: string; direction: 'in' | 'out'; sent_at: number }>(
    'SELECT seq, peer, body, direction, sent_at FROM messages WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  const insertPhoto = db.prepare('INSERT INTO photos (id, user_id, name, size_bytes, sha256, taken_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const photoStmt = db.prepare<[string, string], { id: string; name: string; size_bytes: number; sha256: string | null; taken_at: number | null }>(
    'SELECT id, name, size_bytes, sha256, taken_at FROM photos WHERE user_id = ? AND id = ?');

  const toUser = (r: { id: string; secret_hash: Buffer; country: string } | undefined): UserRow | undefined =>
    r && { id: r.id, secretHash: r.secret_hash, country: r.country };

  const sync = db.transaction((userId: string, changes: ContactChange[]): SyncOutcome => {
    const stale: ContactVersion[] = [];
    const next: ContactVersion[] = [];
    for (const c of changes) {
      const have = contactVersion.get(userId, c.id)?.version ?? 0;
      if (have !== c.version) stale.push({ id: c.id, version: have });
      else next.push({ id: c.id, version: have + 1 });
    }
    if (stale.length > 0) return { ok: false, current: stale };
    const now = Date.now();
    changes.forEach((c, i) => {
      upsertContact.run({
        userId, id: c.id, version: next[i]!.version, name: c.name ?? null, phone: c.phone ?? null,
        email: c.email ?? null, deleted: c.deleted ? 1 : 0, now,
      });
    });
    return { ok: true, versions: next };
  });

  return {
    path,
    getUser: (id) => toUser(userById.get(id)),
    createUserWithToken: db.transaction((u: { id: string; secretHash: Buffer; country: string; deviceModel: string | null; osVersion: string | null }, tokenHash: Buffer) => {
      const now = Date.now();
      insertUser.run(u.id, u.secretHash, u.country, u.deviceModel, u.osVersion, now);
      insertToken.run(tokenHash, u.id, now);
    }),
    addToken: (userId, tokenHash) => void insertToken.run(tokenHash, userId, Date.now()),
    userByToken: (hash) => toUser(userByTokenStmt.get(hash)),
    syncContacts: (userId, changes) => sync(userId, changes),
    listContacts: (userId, after, limit) =>
      listContactsStmt.all(userId, after, limit).map((r) => ({ ...r, deleted: r.deleted === 1 })),
    addMessage: (userId, m) => Number(insertMessage.run(userId, m.peer, m.body, m.direction, m.sentAt).lastInsertRowid),
    listMessages: (userId, since, limit) =>
      listMessagesStmt.all(userId, since, limit).map((r) => ({ seq: r.seq, peer: r.peer, body: r.body, direction: r.direction, sentAt: r.sent_at })),
    addPhoto: (userId, p) => void insertPhoto.run(p.id, userId, p.name, p.sizeBytes, p.sha256, p.takenAt, Date.now()),
    getPhoto: (userId, id) => {
      const r = photoStmt.get(userId, id);
      return r && { id: r.id, name: r.name, sizeBytes: r.size_bytes, sha256: r.sha256, takenAt: r.taken_at };
    },
    close: () => db.close(),
  };
}
