/**
 * `npm run docs`: rewrites the CLI reference in docs/cli.md from the commander program (cli/reference.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withReference } from '../cli/reference.ts';

const path = fileURLToPath(new URL('../docs/cli.md', import.meta.url));
writeFileSync(path, withReference(readFileSync(path, 'utf8')));
process.stdout.write(`updated the CLI reference in ${path}\n`);
