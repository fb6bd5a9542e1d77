import { parseSearch, type Comparator, type SearchNode } from './search-query.ts';

/**
 * Evaluates a webhook subscription `filter` (Shopify search syntax over the REST payload's fields, dotted paths for
 * nested ones, any element of an array matching) against one payload.
 */
export function webhookFilterMatches(filter: string | null, payload: unknown): boolean {
  if (filter === null || filter.trim() === '') return true;
  return evalNode(parseSearch(filter), payload);
}

function evalNode(n: SearchNode, payload: unknown): boolean {
  switch (n.kind) {
    case 'and':
      return n.items.every((x) => evalNode(x, payload));
    case 'or':
      return n.items.some((x) => evalNode(x, payload));
    case 'not':
      return !evalNode(n.item, payload);
    case 'term':
      return n.field === null ? true : valuesAt(payload, n.field.split('.')).some((v) => compare(v, n.op, n.value));
  }
}

function valuesAt(x: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(x)) return x.flatMap((e) => valuesAt(e, path));
  if (path.length === 0) return [x];
  if (x === null || typeof x !== 'object') return [];
  return valuesAt((x as Record<string, unknown>)[path[0] as string], path.slice(1));
}

function compare(actual: unknown, op: Comparator, want: string): boolean {
  if (actual === null || actual === undefined) return false;
  const a = typeof actual === 'string' ? actual : String(actual);
  const numA = Number(a);
  const numW = Number(want);
  let c: number;
  if (a.trim() !== '' && want.trim() !== '' && Number.isFinite(numA) && Number.isFinite(numW)) {
    c = numA - numW;
  } else if (!Number.isNaN(Date.parse(a)) && !Number.isNaN(Date.parse(want)) && /^\d{4}-\d{2}-\d{2}/.test(want)) {
    c = Date.parse(a) - Date.parse(want);
  } else {
    const la = a.toLowerCase();
    const lw = want.toLowerCase();
    if (op === ':' && lw.endsWith('*')) return la.startsWith(lw.slice(0, -1));
    // REST payloads join tags with ", ": a term matches any one of them.
    if (op === ':' && la.includes(', ')) return la.split(', ').includes(lw);
    c = la < lw ? -1 : la > lw ? 1 : 0;
  }
  switch (op) {
    case ':':
      return c === 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
  }
}
