import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../stacks/auth.ts';
import { migrate, MIGRATIONS } from '../../stacks/migrations.ts';
import { openStore } from '../../stacks/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'caplab-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('creates the schema in WAL mode, records its version, and is idempotent on reopen', () => {
    const path = join(dir, 'a.sqlite');
    openStore(path).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)!.version);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    expect(tables).toEqual(['contacts', 'messages', 'photos', 'tokens', 'users']);
    db.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(dir, 'newer.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openStore(path)).toThrow(/schema version 999 is newer/);
  });
});

describe('store', () => {
  it('scopes every query to the user and applies a stale contacts batch not at all', () => {
    const s = openStore(join(dir, 'b.sqlite'));
    s.createUserWithToken({ id: 'a', secretHash: sha256('sa'), country: 'SG', deviceModel: 'Mi 4', osVersion: 'MIUI 6' }, sha256('ta'));
    s.createUserWithToken({ id: 'b', secretHash: sha256('sb'), country: 'SG', deviceModel: 'Mi 4', osVersion: 'MIUI 6' }, sha256('tb'));
    expect(s.userByToken(sha256('ta'))?.id).toBe('a');
    expect(s.userByToken(sha256('nope'))).toBeUndefined();
    expect(s.syncContacts('a', [{ id: 'x', version: 0, name: 'X' }])).toEqual({ ok: true, versions: [{ id: 'x', version: 1 }] });
    expect(s.syncContacts('a', [{ id: 'y', version: 0 }, { id: 'x', version: 0 }])).toEqual({ ok: false, current: [{ id: 'x', version: 1 }] });
    expect(s.listContacts('a', '', 10).map((c) => c.id)).toEqual(['x']);
    expect(s.listContacts('b', '', 10)).toEqual([]);
    const seq = s.addMessage('a', { peer: 'p', body: 'hi', direction: 'out', sentAt: 5 });
    expect(s.listMessages('b', 0, 10)).toEqual([]);
    expect(s.listMessages('a', 0, 10)).toEqual([{ seq, peer: 'p', body: 'hi', direction: 'out', sentAt: 5 }]);
    s.addPhoto('a', { id: 'p1', name: 'n', sizeBytes: 1, sha256: null, takenAt: null });
    expect(s.getPhoto('b', 'p1')).toBeUndefined();
    expect(s.getPhoto('a', 'p1')?.name).toBe('n');
    s.close();
  });
});
