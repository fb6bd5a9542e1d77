/**
 * Open-addressing hash table from non-negative safe integers to dense indices 0, 1, 2, ... in insertion order.
 * Shopify customer ids are decimal integers; hashing them as numbers in one typed array (key and index side by side,
 * so a probe touches one cache line) is several times faster than a Map of strings on a million orders, which was
 * most of the cost of grouping orders by customer.
 */
export class NumericKeyTable {
  // slots[2s] = key (-1 when empty), slots[2s + 1] = index.
  #slots: Float64Array;
  #mask: number;
  #size = 0;
  // Keys in insertion order (index -> key), so no double ever crosses a call boundary boxed.
  #ordered: Float64Array;

  /** `expectedKeys` pre-sizes the table (it still grows past it). */
  constructor(expectedKeys = 1024) {
    const capacity = 2 ** Math.max(10, Math.ceil(Math.log2(expectedKeys * 2 + 1)));
    this.#slots = new Float64Array(capacity * 2).fill(-1);
    this.#mask = capacity - 1;
    this.#ordered = new Float64Array(capacity >> 1);
  }

  /** Empties the table, keeping its capacity. */
  clear(): void {
    this.#slots.fill(-1);
    this.#size = 0;
  }

  get size(): number {
    return this.#size;
  }

  /** Index of `key` (a safe integer >= 0), adding it with the next index when new. */
  indexOf(key: number): number {
    const slots = this.#slots;
    let slot = this.#slot(key);
    for (;;) {
      const found = slots[2 * slot]!;
      if (found === key) return slots[2 * slot + 1]!;
      if (found === -1) break;
      slot = (slot + 1) & this.#mask;
    }
    const index = this.#size++;
    slots[2 * slot] = key;
    slots[2 * slot + 1] = index;
    if (index === this.#ordered.length) {
      const ordered = new Float64Array(this.#ordered.length * 2);
      ordered.set(this.#ordered);
      this.#ordered = ordered;
    }
    this.#ordered[index] = key;
    if (this.#size * 2 > this.#mask) this.#grow();
    return index;
  }

  /**
   * Index of the canonical decimal integer `text` (see {@link canonicalDecimalValue}), added when new; -1 when `text`
   * is not canonical. Parsing here keeps the double key local to this call.
   */
  indexOfDecimal(text: string): number {
    const length = text.length;
    if (length === 0 || length > 15 || (length > 1 && text.charCodeAt(0) === 48)) return -1;
    let key = 0;
    for (let i = 0; i < length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
      key = key * 10 + digit;
    }
    return this.indexOf(key);
  }

  /** Keys by index (insertion order). */
  keys(): Float64Array {
    return this.#ordered.slice(0, this.#size);
  }

  #slot(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4_294_967_296);
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 7) & this.#mask;
  }

  #grow(): void {
    const old = this.#slots;
    const capacity = (this.#mask + 1) * 2;
    this.#slots = new Float64Array(capacity * 2).fill(-1);
    this.#mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const key = old[i]!;
      if (key === -1) continue;
      let slot = this.#slot(key);
      while (this.#slots[2 * slot] !== -1) slot = (slot + 1) & this.#mask;
      this.#slots[2 * slot] = key;
      this.#slots[2 * slot + 1] = old[i + 1]!;
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
