/** Stand-in for k6/execution: the VU and scenario numbers the runner sets before each call. */
import { standin } from './state.ts';

export default {
  get vu() { return standin.exec.vu; },
  get scenario() { return standin.exec.scenario; },
};
