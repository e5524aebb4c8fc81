/**
 * The files `caplab k6 build` writes into its out-dir (and `caplab run --runner k6` beside its script): a users file
 * shipped with them must not take one of these names.
 */

/** File names of a k6 build, by role. */
export const K6_FILES = {
  script: 'script.js',
  testRun: 'testrun.yaml',
  configMaps: 'configmaps.yaml',
  collector: 'collect.yaml',
  runMd: 'RUN.md',
} as const;
