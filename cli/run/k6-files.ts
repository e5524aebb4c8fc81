/**
 * The files `caplab k6 build` writes into its out-dir (and `caplab run --runner k6` beside its script): a users file
 * shipped with them must not take one of these names.
 */

/** File names of a k6 build, by role. */
export const K6_FILES = {
  script: 'script.js',
  /** caplab's generated script of a spec's step flows, beside a wrapper of team scripts (spec-wrapper.ts). */
  steps: 'caplab-steps.js',
  /** The wrapper `caplab run --runner k6` writes for team scripts. */
  wrapper: 'wrapper.js',
  testRun: 'testrun.yaml',
  configMaps: 'configmaps.yaml',
  collector: 'collect.yaml',
  runMd: 'RUN.md',
} as const;
