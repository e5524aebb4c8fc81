/**
 * The end-of-run note on failed requests: nothing when none failed; otherwise the count and share, the five most
 * frequent reasons with k6's error_code and error, the rest summed, responses by status, and one hint per code.
 */
import { describe, expect, it } from 'vitest';
import { formatRequestFailures } from '../../../cli/print/request-failures.ts';

describe('formatRequestFailures', () => {
  it('prints nothing when no request failed', () => {
    expect(formatRequestFailures([], 100)).toBe('');
  });

  it('lists the most frequent reasons with count and share of all requests, the rest summed, a hint per code', () => {
    const text = formatRequestFailures([
      { code: '1310', message: 'x509: unknown authority', status: '0', count: 50 },
      { code: '1503', message: '', status: '503', count: 20 },
      { code: '', message: '', status: '302', count: 10 },
      { code: '1212', message: 'dial: connection refused', status: '0', count: 5 },
      { code: '1050', message: 'request timeout', status: '0', count: 3 },
      { code: '1000', message: 'EOF', status: '0', count: 2 },
      { code: '1220', message: 'read: connection reset by peer', status: '0', count: 1 },
    ], 200);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('caplab: 91 of 200 requests failed (45.50%); most frequent errors:');
    expect(lines[1]).toMatch(/^ {2}error_code +count +share +error$/);
    expect(lines[3]).toMatch(/^ +1310 +50 +25\.00% +x509: unknown authority$/);
    expect(lines[4]).toMatch(/^ +1503 +20 +10\.00% +HTTP 503$/);
    expect(lines[5]).toMatch(/^ +- +10 +5\.00% +unexpected status 302$/);
    expect(lines[8]).toMatch(/^ +3 +1\.50% +2 other reason\(s\)$/);
    expect(text).toContain('x509: certificate signed by unknown authority');
    expect(text.match(/^ {2}1310: /gm)).toHaveLength(1);
    expect(text).toMatch(/^ {2}1212: nothing listens/m);
    expect(text).not.toMatch(/^ {2}1220: /m); // beyond the five shown
  });
});
