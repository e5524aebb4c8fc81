/**
 * Versioned schema migrations of a data center's SQLite database. The applied version lives in SQLite's own
 * `PRAGMA user_version`, so a database records its schema without an extra table; each migration runs in one
 * transaction with the version bump, so a crash leaves either the old or the new schema, never half of one.
 */
import type Database from 'better-sqlite3';

/** One schema step. Never edit a released migration: add the next one. */
export interface Migration {
  /** Version the database has after this step (1, 2, ...). */
  version: number;
  /** What the step does. */
  about: string;
  /** SQL run once. */
  sql: string;
}

/** Every migration in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    about: 'users, hashed tokens, contacts with versions, messages, photos',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, country TEXT NOT NULL,
        device_model TEXT, os_version TEXT, created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE tokens (
        hash BLOB PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE contacts (
        user_id TEXT NOT NULL REFERENCES users(id), id TEXT NOT NULL, version INTEGER NOT NULL,
        name TEXT, phone TEXT, email TEXT, deleted INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL REFERENCES users(id), peer TEXT NOT NULL,
        body TEXT NOT NULL, direction TEXT NOT NULL, sent_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX messages_by_user ON messages (user_id, seq);
      CREATE TABLE photos (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL, sha256 TEXT, taken_at INTEGER, created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX photos_by_user ON photos (user_id, created_at);
    `,
  },
];

/**
 * Brings a database to the newest schema, applying only the missing migrations.
 * @param db an open database
 * @returns the schema version after migrating
 * @throws {Error} when the database was written by a newer caplab (its version is above the newest known one)
 */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > newest) {
    throw new Error(`migrate: database schema version ${current} is newer than this caplab knows (${newest})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return Math.max(current, newest);
}
