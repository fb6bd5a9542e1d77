/**
 * Rows indexed by their distinct frequency x, so that likelihood terms depending on x alone are evaluated once per
 * distinct x (a few hundred at most) instead of once per row.
 */
export interface FrequencyGroups {
  /** Index of each row's x in `distinctX`. */
  xIndex: Int32Array;
  /** The distinct x values, in order of first appearance. */
  distinctX: Float64Array;
  /** Total weight per distinct x. */
  distinctWeight: Float64Array;
  /** Sum of all row weights. */
  totalWeight: number;
}

/** Groups rows by frequency: `x[i]` and `w[i]` are row i's frequency and weight (same length). */
export function groupByFrequency(x: Float64Array, w: Float64Array): FrequencyGroups {
  const n = x.length;
  const xIndex = new Int32Array(n);
  const indexOfX = new Map<number, number>();
  const distinct: number[] = [];
  const distinctW: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const weight = w[i]!;
    total += weight;
    let k = indexOfX.get(xi);
    if (k === undefined) {
      k = distinct.length;
      indexOfX.set(xi, k);
      distinct.push(xi);
      distinctW.push(0);
    }
    distinctW[k]! += weight;
    xIndex[i] = k;
  }
  return { xIndex, distinctX: Float64Array.from(distinct), distinctWeight: Float64Array.from(distinctW), totalWeight: total };
}
