/**
 * Test helper: Debian's nginx as a real third-party target, started on a free loopback port with everything it
 * writes (pid, logs, temp files) in the test's directory, and stopped gracefully. A missing nginx fails the test with
 * the install command: nothing is skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild, waitFor } from './process.ts';

/** A running nginx. */
export interface RunningNginx {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Its access log (one line per request: `<method> <status> <request uri>`). */
  accessLog: string;
  /** Stops it (SIGQUIT: finish open requests, then exit). */
  stop(): Promise<void>;
}

/** The nginx binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
function nginxBinary(): string {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return bin;
  }
  throw new Error('this test needs nginx (Debian: apt-get install -y nginx); neither `nginx -v` nor `/usr/sbin/nginx -v` ran');
}

/**
 * Starts nginx with one server on 127.0.0.1.
 * @param dir a directory of the test's own (nginx's prefix: config, pid, logs, temp files)
 * @param http directives of the `http` block before the server (e.g. `limit_req_zone ...;`)
 * @param server directives of the `server` block besides `listen` and `access_log` (root, locations)
 * @returns the running server
 * @throws {Error} when nginx is missing or does not start (with its error log)
 */
export async function startNginx(dir: string, http: string, server: string): Promise<RunningNginx> {
  const bin = nginxBinary();
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const accessLog = join(dir, 'logs', 'access.log');
  const errorLog = join(dir, 'logs', 'error.log');
  // Another process can take the free port before nginx binds it: try again on a new one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, [
      // Under root the workers would run as nobody and could not read the test's private temp dir (mode 0700).
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  log_format caplab "$request_method $status $request_uri";',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, 'tmp', t)};`),
      http,
      '  server {',
      `    listen 127.0.0.1:${port};`,
      `    access_log ${accessLog} caplab;`,
      server,
      '  }',
      '}',
      '',
    ].join('\n'));
    let log = '';
    const child: ChildProcess = spawn(bin, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const url = `http://127.0.0.1:${port}`;
    const errors = (): string => `nginx output:\n${log}\nerror log:\n${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`;
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited (code ${code}) before serving ${url}`))));
    exited.catch(() => {});
    try {
      await Promise.race([waitFor(`nginx on ${url}`, 10_000, async () => (await fetch(`${url}/`, { method: 'HEAD' })).status > 0, errors), exited]);
      return { url, accessLog, stop: () => stopChild(child, 'SIGQUIT') };
    } catch (err) {
      await stopChild(child);
      if (attempt >= 3 || !/Address already in use/.test(errors())) throw new Error(`${(err as Error).message}\n${errors()}`);
    }
  }
}
