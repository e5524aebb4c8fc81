import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliReference, withReference } from '../../cli/reference.ts';

describe('docs/cli.md, the CLI reference', () => {
  it('is exactly what commander prints for every command (run `npm run docs` after changing a flag)', () => {
    const page = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(withReference(page)).toBe(page);
    for (const cmd of ['campaign', 'forecast', 'users', 'traffic', 'plan', 'scenarios build', 'stack up', 'run', 'merge', 'k6 build', 'fit usl', 'fit erlang', 'report', 'compare', 'gate']) {
      expect(cliReference()).toContain(`#### \`caplab ${cmd}\``);
    }
  });
});
