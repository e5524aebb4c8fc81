/**
 * Rebuilds k6's group tree (root_group) from what samples carry: the `group` tag (a path like `::outer::inner`) and,
 * on `checks` samples, the `check` tag. Ids are computed as k6 computes them: the md5 hex of the path.
 */
import { createHash } from 'node:crypto';
import type { CheckTally } from '../metrics/registry.ts';
import type { K6Group } from './summary-schema.ts';

/** k6's separator between group names in a path. */
export const GROUP_SEPARATOR = '::';

/**
 * k6's id of a group or check: md5 hex of its path.
 * @param path group or check path (`''` for the root group)
 * @returns 32 hex digits
 * @example groupId('') // 'd41d8cd98f00b204e9800998ecf8427e'
 */
export function groupId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}

function newGroup(name: string, path: string): K6Group {
  return { name, path, id: groupId(path), groups: [], checks: [] };
}

/**
 * Builds root_group: every group path seen (and its ancestors), each check under its group, in first-seen order.
 * @param groups group paths seen in samples (`''` = root; ignored)
 * @param checks check tallies
 * @returns the root group
 * @example buildRootGroup(['::a'], [{ group: '::a', check: 'ok', passes: 2, fails: 0 }])
 */
export function buildRootGroup(groups: readonly string[], checks: readonly CheckTally[]): K6Group {
  const root = newGroup('', '');
  const byPath = new Map<string, K6Group>([['', root]]);
  const ensure = (path: string): K6Group => {
    const found = byPath.get(path);
    if (found) return found;
    // Paths start with the separator: '::outer::inner' -> parent '::outer', name 'inner'.
    const cut = path.lastIndexOf(GROUP_SEPARATOR);
    const parentPath = cut <= 0 ? '' : path.slice(0, cut);
    const name = cut < 0 ? path : path.slice(cut + GROUP_SEPARATOR.length);
    const parent = ensure(parentPath);
    const g = newGroup(name, cut < 0 ? `${GROUP_SEPARATOR}${path}` : path);
    parent.groups.push(g);
    byPath.set(path, g);
    return g;
  };
  for (const path of groups) ensure(path);
  for (const c of checks) {
    const g = ensure(c.group);
    const path = `${g.path}${GROUP_SEPARATOR}${c.check}`;
    g.checks.push({ name: c.check, path, id: groupId(path), passes: c.passes, fails: c.fails });
  }
  return root;
}
