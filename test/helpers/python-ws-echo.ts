/**
 * Test helper: a WebSocket echo server on a free loopback port, written with Python's `websockets` module (Debian's
 * python3-websockets) so the engine's WebSocket client meets a third-party peer. It echoes every text and binary
 * message back, optionally accepts given subprotocols, answers the peer's pings (the module does), sends no pings
 * of its own, and counts the messages it received. A missing python3 or module fails the test with the install
 * command: nothing is skipped.
 *
 * Counting: the text message `__count__` (not counted, not echoed) is answered with `__count__:<n>`, for a script
 * that wants to ask over the socket; {@link RunningWsEcho.received} asks over the process's stdin instead.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { stopChild } from './process.ts';

/** A running echo server. */
export interface RunningWsEcho {
  /** Its URL, `ws://127.0.0.1:<port>/` (any path is served the same). */
  url: string;
  /** The port. */
  port: number;
  /** Stops it (SIGTERM, then SIGKILL) and waits for the process to exit. */
  stop(): Promise<void>;
  /** How many text and binary messages it has received so far, over all connections (`__count__` excluded). */
  received(): Promise<number>;
}

/** Options of {@link startPythonWsEcho}. */
export interface PythonWsEchoOptions {
  /** Subprotocols the server accepts, in its order of preference (default: none; an offered one is then ignored). */
  subprotocols?: string[];
}

/**
 * The server, run with `python3 -u -c SCRIPT SUBPROTOCOLS_JSON`. stdout: first line the bound port, then one line
 * `count <n>` for each line `count` read on stdin. EOF on stdin stops it, so it does not outlive a crashed test.
 */
const SCRIPT = String.raw`
import asyncio, json, sys, threading
import websockets

subprotocols = json.loads(sys.argv[1]) or None
count = 0

async def echo(ws, path=None):
    global count
    try:
        async for msg in ws:
            if msg == "__count__":
                await ws.send("__count__:%d" % count)
                continue
            count += 1
            await ws.send(msg)
    except websockets.ConnectionClosed:
        pass

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    def report():
        print("count %d" % count, flush=True)
    def finish():
        if not done.done():
            done.set_result(None)
    def commands():
        for line in sys.stdin:
            if line.strip() == "count":
                loop.call_soon_threadsafe(report)
        loop.call_soon_threadsafe(finish)
    async with websockets.serve(echo, "127.0.0.1", 0, subprotocols=subprotocols,
                                ping_interval=None, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        threading.Thread(target=commands, daemon=True).start()
        await done

asyncio.run(main())
`;

/**
 * Debian's python3 with the module: /usr/bin/python3 first (a python3 earlier on PATH, e.g. pyenv's, may lack
 * Debian's dist-packages), then python3 on PATH.
 */
function pythonWithWebsockets(): string {
  const tried: string[] = [];
  for (const bin of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(bin, ['-c', 'import websockets'], { encoding: 'utf8', timeout: 10_000 });
    if (!r.error && r.status === 0) return bin;
    tried.push(`${bin}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  throw new Error(`this test needs python3 with the websockets module (Debian: apt-get install -y python3-websockets)\n${tried.join('\n')}`);
}

/**
 * Starts the echo server on 127.0.0.1 (port chosen by the OS: no free-port race).
 * @param opts subprotocols to accept
 * @returns the running server
 * @throws {Error} when python3 or its websockets module is missing, or the server prints no port within 10 s
 *   (with its stderr)
 */
export async function startPythonWsEcho(opts: PythonWsEchoOptions = {}): Promise<RunningWsEcho> {
  const bin = pythonWithWebsockets();
  const child: ChildProcess = spawn(bin, ['-u', '-c', SCRIPT, JSON.stringify(opts.subprotocols ?? [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-10_000);
  });
  // Writes to stdin after the process died must not crash the test (EPIPE).
  child.stdin!.on('error', () => {});

  let portLine: ((line: string) => void) | undefined;
  const pending: Array<{ resolve: (n: number) => void; reject: (e: Error) => void }> = [];
  let exitError: Error | undefined;
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (portLine) {
        const f = portLine;
        portLine = undefined;
        f(line);
        continue;
      }
      const m = /^count (\d+)$/.exec(line);
      if (m) pending.shift()?.resolve(Number(m[1]));
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`python websockets echo server ${why}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => {
      fail('printed no port within 10 s');
      void stopChild(child, 'SIGTERM', 1000);
    }, 10_000);
    portLine = (line) => {
      clearTimeout(timer);
      const n = Number(line);
      if (/^\d+$/.test(line) && n > 0) resolve(n);
      else {
        fail(`printed ${JSON.stringify(line)} instead of its port`);
        void stopChild(child, 'SIGTERM', 1000);
      }
    };
    child.on('error', (e) => fail(`did not start (${bin}): ${e.message}`));
    child.once('exit', (code, signal) => {
      // stderr can still be arriving: let it drain before reporting.
      setTimeout(() => fail(`exited (code ${code}, signal ${signal}) before printing its port`), 50);
    });
  });

  child.once('exit', (code, signal) => {
    exitError = new Error(`python websockets echo server exited (code ${code}, signal ${signal})\nstderr:\n${stderr}`);
    for (const p of pending.splice(0)) p.reject(exitError);
  });

  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    stop: () => stopChild(child),
    received: () => new Promise<number>((resolve, reject) => {
      if (exitError) return reject(exitError);
      // A reply that comes after the timeout still takes this entry's place in the queue (settling it again is a
      // no-op), so it is not taken for the answer to a later request.
      const timer = setTimeout(
        () => reject(new Error(`python websockets echo server did not report its count within 5 s\nstderr:\n${stderr}`)),
        5000,
      );
      pending.push({
        resolve: (n: number) => { clearTimeout(timer); resolve(n); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      });
      child.stdin!.write('count\n');
    }),
  };
}
