import { describe, expect, it } from 'vitest';
import { putBase36x7, putBytes, putFixedDecimal, putHex8, putTenths, putUint } from '../../../models/population/bytes.ts';

const buf = new Uint8Array(64);
const text = (end: number, start = 0): string => Buffer.from(buf.subarray(start, end)).toString('utf8');
const samples = [0, 1, 9, 10, 35, 36, 99, 100, 1295, 1296, 65535, 2 ** 31 - 1, 2 ** 31, 3_000_000_000, 2 ** 32 - 1];

describe('byte writers agree with JavaScript formatting', () => {
  it('putUint prints integers like String()', () => {
    for (const v of [...samples, 2 ** 40 + 7]) expect(text(putUint(buf, 3, v), 3)).toBe(String(v));
  });

  it('putFixedDecimal pads to the width', () => {
    for (const v of samples) expect(text(putFixedDecimal(buf, 0, v, 10))).toBe(String(v).padStart(10, '0'));
  });

  it('putBase36x7 matches toString(36) padded to 7 and putHex8 matches toString(16) padded to 8', () => {
    for (const v of samples) {
      expect(text(putBase36x7(buf, 0, v))).toBe(v.toString(36).padStart(7, '0'));
      expect(text(putHex8(buf, 0, v))).toBe(v.toString(16).padStart(8, '0'));
    }
  });

  it('putTenths prints like JSON.stringify of value/10', () => {
    for (const t of [0, 1, 9, 10, 11, 232, 2999, 3000]) expect(text(putTenths(buf, 0, t))).toBe(JSON.stringify(Math.round(t) / 10));
  });

  it('putBytes copies short and long pieces', () => {
    const short = new TextEncoder().encode('"名字"');
    const long = new TextEncoder().encode('x'.repeat(30));
    const end = putBytes(buf, putBytes(buf, 0, short), long);
    expect(text(end)).toBe(`"名字"${'x'.repeat(30)}`);
  });
});
