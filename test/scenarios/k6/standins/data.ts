/** Stand-in for k6/data: SharedArray just calls its callback (k6 would share the result between VUs). */

/** k6's SharedArray: the array the callback builds. */
export class SharedArray {
  /**
   * @param _name the array's name (k6 shares by name)
   * @param make builds the items, once
   */
  constructor(_name: string, make: () => unknown[]) {
    return Object.freeze(make()) as unknown as SharedArray;
  }
}
