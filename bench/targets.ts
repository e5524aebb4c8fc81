/**
 * Targets the benchmarks load, as Node program sources (each runs in its own process, `node --input-type=module -e`),
 * printing the port they listen on (127.0.0.1, port 0).
 */

/**
 * A target that costs almost nothing per request: it counts request heads (GETs without a body) and answers each
 * with a fixed response. Against it the clients, not the target, are the bottleneck, so the rps ratio measures them.
 * @param body the JSON body of every response (ASCII)
 * @returns the program's source
 */
export function rawServerSource(body: string): string {
  const head = `HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: ${body.length}\\r\\n\\r\\n`;
  return `
import { createServer } from 'node:net';
const res = Buffer.from('${head}' + ${JSON.stringify(body)}, 'latin1');
const s = createServer((c) => {
  c.setNoDelay(true);
  let tail = '';
  c.on('data', (d) => {
    const text = tail + d.toString('latin1');
    let n = 0;
    let at = 0;
    for (let i = text.indexOf('\\r\\n\\r\\n'); i >= 0; i = text.indexOf('\\r\\n\\r\\n', at)) { n++; at = i + 4; }
    tail = text.slice(at);
    if (n === 1) c.write(res);
    else if (n > 1) c.write(Buffer.concat(Array(n).fill(res)));
  });
  c.on('error', () => {});
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;
}

/** The raw responder answering `{"ok":true}`. */
export const RAW_SERVER_SOURCE = rawServerSource('{"ok":true}');

