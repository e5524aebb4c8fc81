/**
 * Test helper: Caddy (Debian's /usr/bin/caddy) as a real HTTPS target with its own CA (`tls internal`), as users
 * meet it, started on a free loopback port with everything it writes (CA, certificates, autosaved config) in the
 * test's directory: admin API off, no trust store installed, no port-80 redirect listener. A missing caddy fails
 * the test with the install command: nothing is skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { freePort, stopChild, waitFor } from './process.ts';

/** A running Caddy. */
export interface RunningCaddy {
  /** Base URL by IP address, `https://127.0.0.1:<port>` (what the engine connects to). */
  url: string;
  /** The port. */
  port: number;
  /** The root certificate of Caddy's local CA (PEM), for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Stops it (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** Options of {@link startCaddy}. */
export interface CaddyOptions {
  /**
   * The site's host: `127.0.0.1` (default; Caddy's CA issues a certificate with that IP SAN) or a name (then the
   * certificate names only it, and connections without SNI, as to an IP URL, get it too: `default_sni`).
   */
  site?: string;
  /** Directives of the site block besides `tls internal` (default: `respond "ok" 200`). */
  body?: string;
  /** What the server offers by ALPN: `h1 h2` (default, Caddy's own choice) or `h1` (HTTP/1.1 only). */
  protocols?: 'h1 h2' | 'h1';
}

function caddyBinary(): string {
  for (const bin of ['caddy', '/usr/bin/caddy']) {
    const r = spawnSync(bin, ['version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return bin;
  }
  throw new Error('this test needs caddy (Debian: apt-get install -y caddy); neither `caddy version` nor `/usr/bin/caddy version` ran');
}

/** Resolves when a TLS handshake with the server completes (certificate not checked: only readiness). */
function handshakes(port: number, servername: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.once('secureConnect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(2000, () => done(false));
  });
}

/**
 * Starts Caddy with one HTTPS site on 127.0.0.1.
 * @param dir a directory of the test's own (Caddyfile, XDG data and config: the CA and certificates)
 * @param opts the site's host and directives
 * @returns the running server
 * @throws {Error} when caddy is missing or does not start (with its output)
 */
export async function startCaddy(dir: string, opts: CaddyOptions = {}): Promise<RunningCaddy> {
  const bin = caddyBinary();
  const site = opts.site ?? '127.0.0.1';
  const data = join(dir, 'data');
  const config = join(dir, 'config');
  mkdirSync(data, { recursive: true });
  mkdirSync(config, { recursive: true });
  const caFile = join(data, 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  // Another process can take the free port before caddy binds it: try again on a new one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const file = join(dir, 'Caddyfile');
    writeFileSync(file, [
      '{',
      '  admin off',
      '  skip_install_trust',
      '  auto_https disable_redirects',
      // No HTTP/3: it would also bind the UDP port, one more way to lose the free-port race for nothing.
      '  servers {',
      `    protocols ${opts.protocols ?? 'h1 h2'}`,
      '  }',
      ...(site === '127.0.0.1' ? [] : [`  default_sni ${site}`]),
      '}',
      `https://${site}:${port} {`,
      '  tls internal',
      `  ${opts.body ?? 'respond "ok" 200'}`,
      '}',
      '',
    ].join('\n'));
    let log = '';
    const child: ChildProcess = spawn(bin, ['run', '--config', file, '--adapter', 'caddyfile'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: data, XDG_CONFIG_HOME: config, HOME: dir },
    });
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const url = `https://127.0.0.1:${port}`;
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`caddy exited (code ${code}) before serving ${url}`))));
    exited.catch(() => {});
    try {
      // Caddy creates its CA and the site's certificate at start; the site is ready once a handshake completes.
      await Promise.race([
        waitFor(`caddy on ${url}`, 20_000, async () => existsSync(caFile) && await handshakes(port, site === '127.0.0.1' ? undefined : site), () => `caddy output:\n${log}`),
        exited,
      ]);
      return { url, port, caFile, stop: () => stopChild(child) };
    } catch (err) {
      await stopChild(child);
      if (attempt >= 3 || !/address already in use/i.test(log)) throw new Error(`${(err as Error).message}\ncaddy output:\n${log}`);
    }
  }
}
