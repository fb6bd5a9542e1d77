/**
 * Open-addressing hash table from non-negative safe integers to dense indices 0, 1, 2, ... in insertion order.
 * Shopify customer ids are decimal integers; hashing them as numbers in typed arrays is several times faster than a
 * Map of strings on a million orders, which is most of the cost of grouping orders by customer.
 */
export class NumericKeyTable {
  #keys = new Float64Array(1 << 12).fill(-1);
  #values = new Int32Array(1 << 12);
  #mask = (1 << 12) - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Index of `key` (a safe integer >= 0), adding it with the next index when new. */
  indexOf(key: number): number {
    let slot = this.#slot(key);
    const keys = this.#keys;
    for (;;) {
      const found = keys[slot]!;
      if (found === key) return this.#values[slot]!;
      if (found === -1) break;
      slot = (slot + 1) & this.#mask;
    }
    const index = this.#size++;
    keys[slot] = key;
    this.#values[slot] = index;
    if (this.#size * 2 > this.#mask) this.#grow();
    return index;
  }

  #slot(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4_294_967_296);
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 7) & this.#mask;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const capacity = oldKeys.length * 2;
    this.#keys = new Float64Array(capacity).fill(-1);
    this.#values = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i]!;
      if (key === -1) continue;
      let slot = this.#slot(key);
      while (this.#keys[slot] !== -1) slot = (slot + 1) & this.#mask;
      this.#keys[slot] = key;
      this.#values[slot] = oldValues[i]!;
    }
  }
}

/**
 * The value of a canonical decimal integer string ("0" or no leading zero, at most 15 digits), else -1. Canonical
 * only, so the number maps back to exactly one string and "007" stays a different customer from "7".
 */
export function canonicalDecimalValue(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  if (length > 1 && text.charCodeAt(0) === 48) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
