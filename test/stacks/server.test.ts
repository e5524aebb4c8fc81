import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, register, startTestStacks, type TestStacks } from './helpers.ts';

let stacks: TestStacks;
let sg: string;
let bj: string;

beforeAll(async () => {
  stacks = await startTestStacks({ dcs: ['beijing', 'singapore'] });
  sg = stacks.urls.singapore!;
  bj = stacks.urls.beijing!;
});
afterAll(() => stacks.close());

const count = (dc: string, table: string): number => {
  const db = new Database(join(stacks.dir, `${dc}.sqlite`), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('devices', () => {
  it('registers a user and returns a random token; a second registration needs the same secret', async () => {
    const t1 = await register(sg, 'u-dev-1');
    const t2 = await register(sg, 'u-dev-1');
    expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t2).not.toBe(t1);
    const bad = await call(sg, 'POST', '/v1/devices/register', {
      json: { userId: 'u-dev-1', deviceSecret: 'another-secret-0123456789', country: 'SG', deviceModel: 'Mi 4', osVersion: 'MIUI 6' },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('unauthorized');
  });

  it('stores tokens and secrets only hashed', async () => {
    const token = await register(sg, 'u-dev-2');
    const db = new Database(join(stacks.dir, 'singapore.sqlite'), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM tokens').all()) + JSON.stringify(db.prepare('SELECT * FROM users').all());
    db.close();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain('secret-of-u-dev-2');
  });

  it('accepts the registration body of the canonical example scenario (no device model or OS)', async () => {
    const r = await call(sg, 'POST', '/v1/devices/register', { json: { userId: 'u-dev-3', deviceSecret: '00112233445566778899aabbccddeeff', country: 'ID' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: 'u-dev-3', dc: 'singapore' });
  });

  it('lists every validation problem with its path', async () => {
    const r = await call(sg, 'POST', '/v1/devices/register', { json: { userId: 7, country: 'sg' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    const paths = (r.body.problems as Array<{ path: string }>).map((p) => p.path).sort();
    expect(paths).toEqual(['body.country', 'body.deviceSecret', 'body.userId']);
  });
});

describe('residency', () => {
  it('refuses a mainland-China user outside beijing with 451 naming the rule, and stores nothing', async () => {
    const before = count('singapore', 'users');
    const r = await call(sg, 'POST', '/v1/devices/register', {
      json: { userId: 'u-cn-1', deviceSecret: 'secret-of-u-cn-1-0123456789', country: 'CN', deviceModel: 'Mi 4', osVersion: 'MIUI 6' },
    });
    expect(r.status).toBe(451);
    expect(r.body.rule).toBe('cn-data-stays-in-mainland');
    expect(r.body.detail).toContain('cn-data-stays-in-mainland');
    expect(count('singapore', 'users')).toBe(before);
    expect(await register(bj, 'u-cn-1', 'CN')).toBeTruthy();
  });

  it('refuses an international user in beijing', async () => {
    const r = await call(bj, 'POST', '/v1/devices/register', {
      json: { userId: 'u-in-1', deviceSecret: 'secret-of-u-in-1-0123456789', country: 'IN', deviceModel: 'Mi 4', osVersion: 'MIUI 6' },
    });
    expect(r.status).toBe(451);
    expect(r.body.rule).toBe('international-data-out-of-beijing');
  });
});

describe('auth', () => {
  it('401 without a token or with a bad one, on every authenticated route', async () => {
    for (const [method, path] of [['POST', '/v1/contacts/sync'], ['GET', '/v1/contacts'], ['POST', '/v1/messages'], ['GET', '/v1/messages'], ['POST', '/v1/photos'], ['GET', '/v1/photos/x']] as const) {
      const none = await call(sg, method, path, method === 'POST' ? { json: {} } : {});
      expect(none.status, `${method} ${path}`).toBe(401);
      const bad = await call(sg, method, path, { token: 'A'.repeat(43), ...(method === 'POST' ? { json: {} } : {}) });
      expect(bad.status, `${method} ${path}`).toBe(401);
      expect(bad.body.error).toBe('unauthorized');
    }
  });

  it("scopes every read and write to the token's user", async () => {
    const a = await register(sg, 'u-scope-a');
    const b = await register(sg, 'u-scope-b');
    expect((await call(sg, 'POST', '/v1/contacts/sync', { token: a, json: { contacts: [{ id: 'c1', version: 0, name: 'Ann' }] } })).status).toBe(200);
    expect((await call(sg, 'POST', '/v1/messages', { token: a, json: { peer: '+65 1', body: 'secret of a' } })).status).toBe(201);
    const photo = await call(sg, 'POST', '/v1/photos', { token: a, json: { name: 'a.jpg', sizeBytes: 1000 } });
    expect(photo.status).toBe(201);

    expect((await call(sg, 'GET', '/v1/contacts', { token: b })).body.contacts).toEqual([]);
    expect((await call(sg, 'GET', '/v1/messages?since=0', { token: b })).body.messages).toEqual([]);
    const other = await call(sg, 'GET', `/v1/photos/${photo.body.id}`, { token: b });
    expect(other.status).toBe(404);
    expect(other.body.error).toBe('not_found');
    // b writing a contact with a's id creates b's own contact; a's stays as it was.
    expect((await call(sg, 'POST', '/v1/contacts/sync', { token: b, json: { contacts: [{ id: 'c1', version: 0, name: 'Mallory' }] } })).status).toBe(200);
    const mine = await call(sg, 'GET', '/v1/contacts', { token: a });
    expect(mine.body.contacts).toEqual([{ id: 'c1', version: 1, name: 'Ann', phone: null, email: null, deleted: false }]);
    expect((await call(sg, 'GET', `/v1/photos/${photo.body.id}`, { token: a })).body.name).toBe('a.jpg');
  });
});

describe('contacts', () => {
  it('upserts a batch with versions; a stale version -> 409 with the current one and nothing written', async () => {
    const t = await register(sg, 'u-contacts');
    const first = await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: [{ id: 'a', version: 0, name: 'A' }, { id: 'b', version: 0, phone: '+65 2' }] } });
    expect(first.status).toBe(200);
    expect(first.body.contacts).toEqual([{ id: 'a', version: 1 }, { id: 'b', version: 1 }]);
    const second = await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: [{ id: 'a', version: 1, name: 'A2' }] } });
    expect(second.body.contacts).toEqual([{ id: 'a', version: 2 }]);
    const stale = await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: [{ id: 'b', version: 1, name: 'B' }, { id: 'a', version: 1, name: 'A-old' }] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('version_conflict');
    expect(stale.body.current).toEqual([{ id: 'a', version: 2 }]);
    const list = await call(sg, 'GET', '/v1/contacts', { token: t });
    expect(list.body.contacts.map((c: { id: string; version: number; name: string | null }) => [c.id, c.version, c.name])).toEqual([['a', 2, 'A2'], ['b', 1, null]]);
  });

  it('pages by id and validates the query', async () => {
    const t = await register(sg, 'u-pages');
    await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: ['c', 'a', 'b'].map((id) => ({ id, version: 0 })) } });
    const p1 = await call(sg, 'GET', '/v1/contacts?limit=2', { token: t });
    expect(p1.body.contacts.map((c: { id: string }) => c.id)).toEqual(['a', 'b']);
    expect(p1.body.next).toBe('b');
    const p2 = await call(sg, 'GET', `/v1/contacts?limit=2&after=${p1.body.next}`, { token: t });
    expect(p2.body.contacts.map((c: { id: string }) => c.id)).toEqual(['c']);
    expect(p2.body.next).toBeNull();
    for (const q of ['limit=0', 'limit=-1', 'limit=abc', 'limit=100000', 'limit=1&limit=2']) {
      const r = await call(sg, 'GET', `/v1/contacts?${q}`, { token: t });
      expect(r.status, q).toBe(400);
      expect(r.body.problems[0].path).toBe('query.limit');
    }
  });

  it('refuses duplicate ids and oversized batches', async () => {
    const t = await register(sg, 'u-dupes');
    const dup = await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: [{ id: 'x', version: 0 }, { id: 'x', version: 0 }] } });
    expect(dup.status).toBe(400);
    expect(dup.body.problems[0].path).toBe('body.contacts[1].id');
    const many = await call(sg, 'POST', '/v1/contacts/sync', { token: t, json: { contacts: Array.from({ length: 1001 }, (_, i) => ({ id: `c${i}`, version: 0 })) } });
    expect(many.status).toBe(400);
  });
});

describe('messages', () => {
  it('stores messages and returns those after `since`', async () => {
    const t = await register(sg, 'u-msg');
    const seqs: number[] = [];
    for (const body of ['one', 'two', 'three']) {
      const r = await call(sg, 'POST', '/v1/messages', { token: t, json: { peer: '+65 9', body, direction: 'in', sentAt: 1_400_000_000_000 } });
      expect(r.status).toBe(201);
      seqs.push(r.body.seq);
    }
    const all = await call(sg, 'GET', '/v1/messages', { token: t });
    expect(all.body.messages.map((m: { body: string }) => m.body)).toEqual(['one', 'two', 'three']);
    const after = await call(sg, 'GET', `/v1/messages?since=${seqs[0]}`, { token: t });
    expect(after.body.messages.map((m: { body: string }) => m.body)).toEqual(['two', 'three']);
    expect(after.body.next).toBe(seqs[2]);
    expect((await call(sg, 'GET', '/v1/messages?since=x', { token: t })).status).toBe(400);
    expect((await call(sg, 'POST', '/v1/messages', { token: t, json: { peer: '', body: 'x'.repeat(5000) } })).body.problems).toHaveLength(2);
  });
});

describe('ota', () => {
  it('says whether a newer release exists for the model, without auth', async () => {
    const old = await call(sg, 'GET', '/v1/ota/check?model=Mi%204&version=MIUI%206');
    expect(old.status).toBe(200);
    expect(old.body).toEqual({ update: true, latest: 'MIUI 9', sizeBytes: 350000000 });
    expect((await call(sg, 'GET', '/v1/ota/check?model=Mi%201&version=MIUI%206')).body).toEqual({ update: false, latest: 'MIUI 6' });
    expect((await call(sg, 'GET', '/v1/ota/check?model=Nokia&version=1')).body).toEqual({ update: false, latest: null });
    const bad = await call(sg, 'GET', '/v1/ota/check?model=Mi%204');
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].path).toBe('query.version');
  });
});

describe('photos', () => {
  it('records metadata, and refuses a photo over the size limit with 413', async () => {
    const t = await register(sg, 'u-photos');
    const ok = await call(sg, 'POST', '/v1/photos', { token: t, json: { name: 'IMG_1.jpg', sizeBytes: 3_500_000, sha256: 'a'.repeat(64), takenAt: 1 } });
    expect(ok.status).toBe(201);
    expect((await call(sg, 'GET', `/v1/photos/${ok.body.id}`, { token: t })).body).toEqual(ok.body);
    const before = count('singapore', 'photos');
    const big = await call(sg, 'POST', '/v1/photos', { token: t, json: { name: 'pano.jpg', sizeBytes: 52_428_801 } });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('photo_too_large');
    expect(count('singapore', 'photos')).toBe(before);
  });
});

describe('bad input', () => {
  it('answers malformed JSON, wrong content types, huge bodies, unknown routes and methods with 4xx JSON', async () => {
    const t = await register(sg, 'u-bad');
    const cases: Array<[string, string, Parameters<typeof call>[3], number]> = [
      ['POST', '/v1/messages', { token: t, raw: '{"peer":', headers: { 'content-type': 'application/json' } }, 400],
      ['POST', '/v1/messages', { token: t, raw: '', headers: { 'content-type': 'application/json' } }, 400],
      ['POST', '/v1/messages', { token: t, raw: 'peer=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['POST', '/v1/messages', { token: t, json: [1, 2] }, 400],
      ['POST', '/v1/messages', { token: t, json: { peer: 'x', body: 'y'.repeat(2_000_000) } }, 413],
      ['GET', '/v1/nope', {}, 404],
      ['DELETE', '/v1/contacts', {}, 405],
      ['PUT', '/healthz', {}, 405],
      ['GET', '/v1/photos/%E0%A4%A', { token: t }, 404],
      ['GET', '/v1/contacts', { token: t, headers: { 'x-client-country': 'singapore' } }, 400],
    ];
    for (const [method, path, opts, status] of cases) {
      const r = await call(sg, method, path, opts);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(typeof r.body.error, `${method} ${path}`).toBe('string');
      expect(typeof r.body.detail, `${method} ${path}`).toBe('string');
    }
    expect((await call(sg, 'DELETE', '/v1/contacts')).headers.get('allow')).toBe('GET');
  });
});

describe('healthz and metrics', () => {
  it('reports health and Prometheus metrics by route and status', async () => {
    const h = await call(sg, 'GET', '/healthz');
    expect(h.body).toMatchObject({ status: 'ok', dc: 'singapore' });
    await call(sg, 'GET', '/v1/ota/check?model=Mi%204&version=MIUI%209');
    const m = await call(sg, 'GET', '/metrics');
    expect(m.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = m.body as string;
    expect(text).toContain('# TYPE caplab_http_requests_total counter');
    expect(text).toMatch(/caplab_http_requests_total\{dc="singapore",route="ota_check",method="GET",status="200"\} \d+/);
    expect(text).toMatch(/caplab_http_request_duration_seconds_bucket\{dc="singapore",route="ota_check",status="200",le="\+Inf"\} \d+/);
    expect(text).toContain('caplab_node_queue_depth{dc="singapore",node="0"} 0');
    expect(text).toContain('caplab_http_requests_in_flight{dc="singapore"}');
  });
});

describe('server', () => {
  it('answered no request with an unexpected error', () => {
    expect(stacks.errors).toEqual([]);
  });
});
