/**
 * Durability: a `caplab stack up` child process takes writes under load, is killed with SIGKILL mid-load, restarts
 * on the same SQLite files, and every write it acknowledged with a 2xx is there. Also: SIGTERM stops it cleanly
 * (exit 0, databases closed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CAPLAB_BIN, REPO_ROOT } from '../helpers/cli.ts';
import { call, register } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'caplab-durability-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `caplab stack up` for singapore on the test's files and resolves with its URL from stdout. */
function startChild(): Promise<{ child: ChildProcess; url: string; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const child = spawn(process.execPath, [CAPLAB_BIN, '--out-dir', dir, '--quiet', 'stack', 'up', '--dcs', 'singapore', '--no-wan', '--data-dir', join(dir, 'data')],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^singapore\t(http:\/\/\S+)\n/m.exec(out);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    void exited.then(({ code }) => reject(new Error(`stack up exited early with ${code}: ${err}`)));
  });
}

describe('durability across kill -9', () => {
  it('keeps every acknowledged write after SIGKILL and restart', async () => {
    const first = await startChild();
    const users = Array.from({ length: 16 }, (_, i) => `u-dur-${i}`);
    const tokens = await Promise.all(users.map((u) => register(first.url, u)));
    const ackedMessages = new Map<string, number[]>(users.map((u) => [u, []]));
    const ackedContacts = new Map<string, Map<string, number>>(users.map((u) => [u, new Map()]));
    const ackedPhotos = new Map<string, string[]>(users.map((u) => [u, []]));
    let stop = false;
    let inFlightAtKill = 0;
    let inFlight = 0;

    // One writer per user, each mixing messages, contact syncs and photos, with the default emulated service times.
    const writers = users.map(async (u, w) => {
      const token = tokens[w]!;
      for (let k = 0; !stop; k++) {
        inFlight++;
        try {
          if (k % 3 === 0) {
            const r = await call(first.url, 'POST', '/v1/messages', { token, json: { peer: `+65 ${k}`, body: `m${k}` } });
            if (r.status === 201) ackedMessages.get(u)!.push(r.body.seq);
          } else if (k % 3 === 1) {
            const id = `c${k % 10}`;
            const have = ackedContacts.get(u)!.get(id) ?? 0;
            const r = await call(first.url, 'POST', '/v1/contacts/sync', { token, json: { contacts: [{ id, version: have, name: `n${k}` }] } });
            if (r.status === 200) ackedContacts.get(u)!.set(id, r.body.contacts[0].version);
          } else {
            const r = await call(first.url, 'POST', '/v1/photos', { token, json: { name: `p${k}.jpg`, sizeBytes: k } });
            if (r.status === 201) ackedPhotos.get(u)!.push(r.body.id);
          }
        } catch {
          // The request died with the server: it was never acknowledged.
        } finally {
          inFlight--;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 2000));
    inFlightAtKill = inFlight;
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(inFlightAtKill).toBeGreaterThan(0);

    const messagesAcked = [...ackedMessages.values()].reduce((s, a) => s + a.length, 0);
    const photosAcked = [...ackedPhotos.values()].reduce((s, a) => s + a.length, 0);
    const contactsAcked = [...ackedContacts.values()].reduce((s, m) => s + m.size, 0);
    expect(messagesAcked).toBeGreaterThan(20);
    expect(photosAcked).toBeGreaterThan(20);

    const second = await startChild();
    const found = { messages: 0, photos: 0, contacts: 0 };
    for (const [w, u] of users.entries()) {
      const token = tokens[w]!; // tokens were acknowledged too: they must still authenticate
      const msgs = await call(second.url, 'GET', '/v1/messages?since=0&limit=1000', { token });
      expect(msgs.status).toBe(200);
      const seqs = new Set(msgs.body.messages.map((m: { seq: number }) => m.seq));
      for (const s of ackedMessages.get(u)!) if (seqs.has(s)) found.messages++;
      const contacts = await call(second.url, 'GET', '/v1/contacts?limit=1000', { token });
      const versions = new Map<string, number>(contacts.body.contacts.map((c: { id: string; version: number }) => [c.id, c.version]));
      for (const [id, v] of ackedContacts.get(u)!) if ((versions.get(id) ?? 0) >= v) found.contacts++;
      for (const id of ackedPhotos.get(u)!) if ((await call(second.url, 'GET', `/v1/photos/${id}`, { token })).status === 200) found.photos++;
    }
    expect(found).toEqual({ messages: messagesAcked, photos: photosAcked, contacts: contactsAcked });

    // A clean stop: SIGTERM -> exit 0, and the database is closed (WAL checkpointed, file opens read-only).
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const db = new Database(join(dir, 'data', 'singapore.sqlite'), { readonly: true });
    const rows = (db.prepare('SELECT (SELECT count(*) FROM messages) AS m, (SELECT count(*) FROM photos) AS p').get() as { m: number; p: number });
    db.close();
    expect(rows.m).toBeGreaterThanOrEqual(messagesAcked);
    expect(rows.p).toBeGreaterThanOrEqual(photosAcked);
    expect(JSON.parse(readFileSync(join(dir, 'stacks.json'), 'utf8')).schema).toBe('caplab.stacks/v1');
    console.log(`acknowledged before SIGKILL: ${messagesAcked} messages, ${photosAcked} photos, ${contactsAcked} contact versions (${inFlightAtKill} requests in flight at the kill); all found after restart`);
  });
});
