/**
 * `npm run docs`: rewrites README.md's CLI reference from the commander program (cli/reference.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withReference } from '../cli/reference.ts';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(path, withReference(readFileSync(path, 'utf8')));
process.stdout.write(`updated the CLI reference in ${path}\n`);
