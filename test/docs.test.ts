/**
 * The user-facing pages: README.md stays a short newcomer's page that starts with the two commands to run, and every
 * relative link of README.md, docs/*.md and examples/**\/*.md leads to a file (and heading) inside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README_MAX_CHARS = 15_000;

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.md'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

const PAGES = [join(ROOT, 'README.md'), ...markdownUnder('docs'), ...markdownUnder('examples')];

/** Markdown text without its fenced blocks. */
function withoutFences(text: string): string {
  return text.replace(/^```[\s\S]*?^```\s*$/gm, '');
}

/** Markdown text without fenced blocks and code spans, where link syntax is not a link. */
function prose(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, '');
}

/** Targets of inline links and images. */
function links(text: string): string[] {
  return [...prose(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's anchors of a page's headings (lower case, punctuation dropped, spaces to `-`, repeats numbered). */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!.replace(/`/g, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it(`stays under ${README_MAX_CHARS} characters (longer material belongs in docs/)`, () => {
    expect(readme.length).toBeLessThan(README_MAX_CHARS);
  });

  it('starts with the commands a newcomer runs on a fresh machine', () => {
    const first = /^# caplab\n+```sh\n([\s\S]*?)```/.exec(readme);
    expect(first, 'README.md must open with a ```sh block right under its title').not.toBeNull();
    expect(first![1]).toMatch(/^npm ci && npm start\b/m);
    expect(first![1]).toMatch(/^npm test\b/m);
  });

  it('points to the reference pages', () => {
    for (const page of ['docs/formats.md', 'docs/cli.md']) expect(links(readme)).toContain(page);
  });
});

describe.each(PAGES.map((p) => [relative(ROOT, p), p]))('%s', (_name, page) => {
  const text = readFileSync(page, 'utf8');

  it('links only to files and headings that exist inside the repository', () => {
    const bad: string[] = [];
    for (const target of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        if (!/^https?:/i.test(target)) bad.push(`${target}: only http(s) links may leave the repository`);
        continue;
      }
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
      if (path.startsWith('/')) bad.push(`${target}: absolute path`);
      else if (relative(ROOT, file).split(sep)[0] === '..') bad.push(`${target}: outside the repository`);
      else if (!existsSync(file)) bad.push(`${target}: no such file`);
      else if (anchor && file.endsWith('.md') && statSync(file).isFile() && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
        bad.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('names no place outside the repository', () => {
    expect(text).not.toMatch(/\/work\/|\.\.\/shared\/|DESIGN\.md/);
  });
});
