/**
 * Stand-in for k6/data: SharedArray builds its items once per run and name, with the first callback that asks; later
 * constructions with the same name (other VUs' init code) get the same frozen items without calling theirs, as k6's
 * (js/modules/k6/data/data.go sharedArrays.get).
 */
import { standin } from './state.ts';

/** k6's SharedArray: the array the first callback of its name builds. */
export class SharedArray {
  /**
   * @param name the array's name (k6 shares by name)
   * @param make builds the items, once per name and run
   */
  constructor(name: string, make: () => unknown[]) {
    let items = standin.sharedArrays.get(name);
    if (items === undefined) standin.sharedArrays.set(name, (items = Object.freeze(make())));
    return items as unknown as SharedArray;
  }
}
