/**
 * How the k6 wrapper of a team's script (wrapper.ts) merges the script's options with caplab's at k6's init: which of
 * the script's options caplab's replace, and the merge itself as JavaScript source the wrapper inlines (thresholds per
 * metric with both lists applying, tags and summaryTrendStats merged, everything else kept as the script set it).
 */

/**
 * Options of the script that caplab's replace, dropped from what the wrapper exports: the load and its schedule
 * (scenarios and k6's shortcuts for one: vus, duration, iterations, stages), how a test is split over instances
 * (caplab passes execution segments on the command line, the operator per pod), a global request-rate cap (`rps`,
 * which would cap the arrival rates caplab's probes and sweeps set, measuring the cap instead of the target) and
 * `paused` (a run waiting for `k6 resume`). Everything else the script sets is kept.
 */
export const WRAPPER_REPLACED_OPTIONS: readonly string[] = [
  'scenarios', 'vus', 'duration', 'iterations', 'stages', 'executionSegment', 'executionSegmentSequence', 'rps', 'paused',
];

/**
 * The wrapper's merge of the team scripts' options with caplab's (see the module comment), as JavaScript source, and
 * the note saying, per script, what was replaced and kept ('' when no script sets options).
 */
export const MERGE_OPTIONS_JS = `
/**
 * Thresholds of two option sets, per metric: the first's expressions, then the second's not already listed.
 * @param {Record<string, any>} a @param {Record<string, any>} b @returns {Record<string, any[]>}
 */
function caplabThresholds(a, b) {
  /** @type {Record<string, any[]>} */
  const out = {};
  for (const metric of Object.keys(a)) out[metric] = /** @type {any[]} */ ([]).concat(a[metric]);
  for (const metric of Object.keys(b)) {
    const list = out[metric] || [];
    const seen = list.map(function (t) { return JSON.stringify(t); });
    for (const t of /** @type {any[]} */ ([]).concat(b[metric])) if (seen.indexOf(JSON.stringify(t)) < 0) list.push(t);
    out[metric] = list;
  }
  return out;
}

/**
 * The team scripts' options, less those caplab replaces, merged in order (thresholds per metric, all applying; tags;
 * summaryTrendStats; another option set twice takes the later script's value), then with caplab's (thresholds
 * beside the scripts', tags with caplab's winning on a clash, summaryTrendStats with caplab's first, any other
 * option caplab sets taking caplab's value); and the note of what each script lost and kept.
 * @param {{name: string, options: unknown}[]} teams the scripts, by specifier, with the value of their \`options\`
 * @param {Record<string, any>} caplab caplab's options
 * @returns {{options: Record<string, any>, note: string}}
 */
function caplabMergeOptions(teams, caplab) {
  /** @param {unknown} v @returns {Record<string, any>} */
  const object = function (v) { return v !== null && typeof v === 'object' ? /** @type {Record<string, any>} */ (v) : {}; };
  /** @type {Record<string, any>} */
  const out = {};
  /** @param {Record<string, any>} into @param {string} key @param {any} v @param {boolean} ours */
  const merge = function (into, key, v, ours) {
    const had = into[key];
    if (had === undefined || had === null) into[key] = v;
    else if (key === 'thresholds') into[key] = caplabThresholds(had, v);
    else if (key === 'tags') into[key] = Object.assign({}, had, v);
    else if (key === 'summaryTrendStats' && Array.isArray(had) && Array.isArray(v)) {
      const first = ours ? v : had;
      const then = ours ? had : v;
      into[key] = first.concat(then.filter(function (/** @type {unknown} */ st) { return first.indexOf(st) < 0; }));
    } else into[key] = v;
  };
  for (const team of teams) {
    const mine = object(team.options);
    for (const key of Object.keys(mine)) if (mine[key] !== undefined && REPLACED_OPTIONS.indexOf(key) < 0) merge(out, key, mine[key], false);
  }
  for (const key of Object.keys(caplab)) merge(out, key, caplab[key], true);
  /** @type {string[]} */
  const notes = [];
  for (const team of teams) {
    const mine = object(team.options);
    /** @type {string[]} */
    const byCaplab = [];
    /** @type {string[]} */
    const byOther = [];
    /** @type {string[]} */
    const kept = [];
    for (const key of Object.keys(mine)) {
      if (mine[key] === undefined) continue;
      if (REPLACED_OPTIONS.indexOf(key) >= 0) byCaplab.push(key);
      else if (key === 'thresholds') kept.push(caplab.thresholds ? 'thresholds (applied beside caplab\\'s)' : 'thresholds');
      else if (key === 'tags') kept.push(caplab.tags ? 'tags (caplab\\'s win on the same tag)' : 'tags');
      else if (key === 'summaryTrendStats') kept.push('summaryTrendStats (with caplab\\'s)');
      else if (JSON.stringify(out[key]) === JSON.stringify(mine[key])) kept.push(key);
      else if (caplab[key] !== undefined) byCaplab.push(key);
      else byOther.push(key);
    }
    if (byCaplab.length + byOther.length + kept.length === 0) continue;
    notes.push('caplab: k6 wrapper of ' + team.name + ': '
      + (byCaplab.length > 0 ? 'replaced by caplab\\'s: ' + byCaplab.join(', ') + '; ' : '')
      + (byOther.length > 0 ? 'replaced by a later script\\'s: ' + byOther.join(', ') + '; ' : '')
      + 'kept: ' + (kept.length > 0 ? kept.join(', ') : 'none'));
  }
  return { options: out, note: notes.join('\\n') };
}
`;
