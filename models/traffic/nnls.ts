/**
 * Non-negative least squares: minimise ||A x - b|| subject to x >= 0, by the active-set method of Lawson and Hanson
 * ("Solving Least Squares Problems", 1974, chapter 23). Used to fit hourly curves, which cannot be negative.
 */
import { Matrix, solve } from 'ml-matrix';

/**
 * Solves min ||A x - b||₂ with x >= 0.
 * @param a the m x n design matrix, rows of equal length
 * @param b the m observations
 * @param tolerance a gradient entry at or below it counts as 0 (default 1e-10 times the scale of Aᵀb)
 * @returns x (n values, all >= 0)
 * @throws {RangeError} when the dimensions disagree, a value is not finite, or the method does not converge in 30n steps
 * @example nnls([[1, 0], [0, 1]], [2, -1]) // [2, 0]
 */
export function nnls(a: readonly (readonly number[])[], b: readonly number[], tolerance?: number): number[] {
  const m = a.length;
  const n = a[0]?.length ?? 0;
  if (m === 0 || n === 0 || b.length !== m || a.some((r) => r.length !== n)) {
    throw new RangeError(`nnls: A must be m x n with m = b.length (got ${m} rows, b of ${b.length})`);
  }
  if (a.some((r) => r.some((v) => !Number.isFinite(v))) || b.some((v) => !Number.isFinite(v))) throw new RangeError('nnls: A and b must be finite');
  const A = new Matrix(a.map((r) => [...r]));
  const B = Matrix.columnVector([...b]);
  const gradient = (x: number[]): number[] => A.transpose().mmul(B.clone().sub(A.mmul(Matrix.columnVector(x)))).to1DArray();
  const tol = tolerance ?? 1e-10 * Math.max(1, ...gradient(new Array<number>(n).fill(0)).map(Math.abs));
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  let w = gradient(x);
  for (let iter = 0; ; iter++) {
    if (iter > 30 * n) throw new RangeError(`nnls: no convergence after ${30 * n} steps`);
    let j = -1;
    for (let k = 0; k < n; k++) if (!passive[k] && w[k]! > tol && (j < 0 || w[k]! > w[j]!)) j = k;
    if (j < 0) return x;
    passive[j] = true;
    for (;;) {
      const s = subsetSolve(A, B, passive);
      const bad = passive.map((p, k) => p && s[k]! <= 0);
      if (!bad.some(Boolean)) {
        for (let k = 0; k < n; k++) x[k] = s[k]!;
        break;
      }
      // Step from x toward s only as far as the first passive variable that would turn negative, then drop it.
      let alpha = Infinity;
      for (let k = 0; k < n; k++) if (bad[k]) alpha = Math.min(alpha, x[k]! / (x[k]! - s[k]!));
      for (let k = 0; k < n; k++) {
        x[k] = x[k]! + alpha * (s[k]! - x[k]!);
        if (passive[k] && x[k]! <= tol) {
          passive[k] = false;
          x[k] = 0;
        }
      }
    }
    w = gradient(x);
  }
}

/** Unconstrained least squares on the passive columns; the other entries are 0. */
function subsetSolve(A: Matrix, B: Matrix, passive: readonly boolean[]): number[] {
  const cols = passive.flatMap((p, k) => (p ? [k] : []));
  const sub = A.subMatrixColumn(cols);
  // SVD: stays defined when the passive columns are (nearly) dependent.
  const z = solve(sub, B, true).to1DArray();
  const out = new Array<number>(passive.length).fill(0);
  cols.forEach((k, i) => (out[k] = z[i]!));
  return out;
}
