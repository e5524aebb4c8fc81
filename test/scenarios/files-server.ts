/**
 * Test helper: the server of test/scenarios/flow-files.test.ts, run in a worker thread. The k6 stand-in sends its
 * requests synchronously (it blocks its thread until the answer is in), so the server cannot share that thread.
 * `/login?u=X` sets cookies, any other path echoes the Cookie header it got, `/upload` parses its multipart body and
 * hashes every part, `/raw` hashes its body: intact bytes are checked as they arrived on the wire.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, Worker } from 'node:worker_threads';

/** A short SHA-256 of bytes. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** A multipart/form-data body split into parts by its boundary (RFC 7578), each with its headers and raw bytes. */
function parseMultipart(body: Buffer, contentType: string): { name: string; filename?: string; type?: string; sha: string; size: number; text?: string }[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  const out: ReturnType<typeof parseMultipart> = [];
  let at = body.indexOf(delim);
  if (at !== 0) throw new Error('the body does not start with the boundary');
  for (;;) {
    const after = at + delim.length;
    if (body.subarray(after, after + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', after);
    const head = body.subarray(after + 2, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd);
    if (next < 0) throw new Error('a part is not closed');
    const data = body.subarray(headEnd + 4, next);
    const disp = /content-disposition: form-data; name="([^"]*)"(?:; filename="((?:[^"\\]|\\.)*)")?/i.exec(head);
    const type = /content-type: (.*)/i.exec(head)?.[1];
    out.push({ name: disp![1]!, ...(disp![2] !== undefined ? { filename: disp![2] } : {}), ...(type ? { type } : {}), sha: sha(data), size: data.length, ...(type ? {} : { text: data.toString('utf8') }) });
    at = next + 2;
  }
  return out;
}

/** A request as the server saw it: the VU (X-Vu header) and what arrived. */
export interface Seen { vu: string; what: string }

/** The server in this thread (for runs in another process): login sets cookies, whoami echoes them, upload and raw parse and hash what arrives. */
export async function startFilesServer(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const vu = String(req.headers['x-vu']);
      const cookie = req.headers.cookie ?? '';
      let what = `${req.method} ${url.pathname}${url.search} cookie=[${cookie}]`;
      if (url.pathname === '/login') {
        res.setHeader('set-cookie', [`sid=s-${url.searchParams.get('u')}; Path=/`, 'theme=dark; Path=/app; Max-Age=600', 'gone=x; Path=/; Max-Age=0', 'bad name=x']);
      } else if (url.pathname === '/upload') {
        what += ` parts=${JSON.stringify(parseMultipart(body, String(req.headers['content-type'])))}`;
      } else if (url.pathname === '/raw') {
        what += ` type=${req.headers['content-type']} sha=${sha(body)} size=${body.length}`;
      }
      seen.push({ vu, what });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}


/** Runs in the worker: serves, and answers the parent's `seen` / `clear` / `close` messages. */
export async function serveInThread(): Promise<void> {
  const s = await startFilesServer();
  parentPort!.on('message', (m: string) => {
    if (m === 'seen') parentPort!.postMessage({ seen: s.seen });
    else if (m === 'clear') { s.seen.length = 0; parentPort!.postMessage({ cleared: true }); }
    else if (m === 'close') void s.close().then(() => parentPort!.postMessage({ closed: true }));
  });
  parentPort!.postMessage({ url: s.url });
}

/** The server in its thread, as the test uses it. */
export interface FilesServer {
  url: string;
  /** Requests seen so far, in arrival order. */
  seen(): Promise<Seen[]>;
  /** Forgets the requests seen. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the server in a worker thread (which registers tsx to load this module).
 * @returns its URL and accessors
 */
export async function startFilesServerThread(): Promise<FilesServer> {
  const self = new URL(import.meta.url).href;
  const w = new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(self)}); }).then((m) => m.serveInThread());`, { eval: true });
  const next = <T>(): Promise<T> => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  const { url } = await next<{ url: string }>();
  return {
    url,
    seen: async () => { w.postMessage('seen'); return (await next<{ seen: Seen[] }>()).seen; },
    clear: async () => { w.postMessage('clear'); await next(); },
    close: async () => { w.postMessage('close'); await next(); await w.terminate(); },
  };
}
