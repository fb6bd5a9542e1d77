/**
 * Shopify's search syntax for `query:` arguments (https://shopify.dev/docs/api/usage/search-syntax): terms
 * `field:value` with comparators `:>`, `:>=`, `:<`, `:<=`, implicit or explicit `AND`, `OR`, `NOT`, `-field:value`,
 * parentheses, single or double quotes. Unknown fields are ignored with a warning, as Shopify does.
 */

export type SearchNode =
  | { kind: 'and'; items: SearchNode[] }
  | { kind: 'or'; items: SearchNode[] }
  | { kind: 'not'; item: SearchNode }
  | { kind: 'term'; field: string | null; op: Comparator; value: string };

export type Comparator = ':' | '>' | '>=' | '<' | '<=';

type Token = { t: '(' } | { t: ')' } | { t: 'AND' } | { t: 'OR' } | { t: 'NOT' } | { t: 'word'; neg: boolean; text: string };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
      continue;
    }
    let neg = false;
    if (c === '-' && i + 1 < q.length && !/\s/.test(q[i + 1] as string)) {
      neg = true;
      i++;
    }
    let text = '';
    while (i < q.length) {
      const ch = q[i] as string;
      if (/\s/.test(ch) || ch === '(' || ch === ')') break;
      if (ch === '"' || ch === "'") {
        const end = q.indexOf(ch, i + 1);
        const stop = end === -1 ? q.length : end;
        text += q.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if (ch === '\\' && i + 1 < q.length) {
        text += q[i + 1];
        i += 2;
        continue;
      }
      text += ch;
      i++;
    }
    if (!neg && (text === 'AND' || text === 'OR' || text === 'NOT')) out.push({ t: text });
    else out.push({ t: 'word', neg, text });
  }
  return out;
}

function termOf(text: string): SearchNode {
  const colon = text.indexOf(':');
  if (colon <= 0) return { kind: 'term', field: null, op: ':', value: text };
  const field = text.slice(0, colon).toLowerCase();
  let rest = text.slice(colon + 1);
  let op: Comparator = ':';
  for (const candidate of ['>=', '<=', '>', '<'] as const) {
    if (rest.startsWith(candidate)) {
      op = candidate;
      rest = rest.slice(candidate.length);
      break;
    }
  }
  return { kind: 'term', field, op, value: rest };
}

/** Parses a search query; an empty or blank query gives an empty AND (matches everything). */
export function parseSearch(query: string): SearchNode {
  const toks = tokenize(query);
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  function parseOr(): SearchNode {
    const items = [parseAnd()];
    while (peek()?.t === 'OR') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as SearchNode) : { kind: 'or', items };
  }
  function parseAnd(): SearchNode {
    const items: SearchNode[] = [];
    for (;;) {
      const t = peek();
      if (t === undefined || t.t === ')' || t.t === 'OR') break;
      if (t.t === 'AND') {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? (items[0] as SearchNode) : { kind: 'and', items };
  }
  function parseUnary(): SearchNode {
    const t = toks[pos++] as Token;
    if (t.t === 'NOT') return { kind: 'not', item: parseUnary() };
    if (t.t === '(') {
      const inner = parseOr();
      if (peek()?.t === ')') pos++;
      return inner;
    }
    if (t.t === 'word') {
      const term = termOf(t.text);
      return t.neg ? { kind: 'not', item: term } : term;
    }
    return { kind: 'and', items: [] };
  }
  const node = parseOr();
  return node;
}

/** How one searchable field reads its value from a record. */
export type FieldSpec<T> =
  | { type: 'date'; get: (x: T) => number | null }
  | { type: 'number'; get: (x: T) => number | null }
  | { type: 'string'; get: (x: T) => string | null }
  | { type: 'strings'; get: (x: T) => readonly string[] }
  | { type: 'bool'; get: (x: T) => boolean };

/** A warning Shopify returns in `extensions.search` for a term it ignored. */
export interface SearchWarning {
  field: string;
  message: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function tzOffsetMs(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(atMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/** Midnight of a calendar date in an IANA time zone, as UTC epoch ms. */
export function zonedMidnightMs(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - tzOffsetMs(guess, timeZone);
  return guess - tzOffsetMs(first, timeZone);
}

/** Parses a date term value into a [start, end) range in UTC ms; null when unparseable. */
function dateRange(value: string, timeZone: string, nowMs: number): [number, number] | null {
  const v = value.trim();
  if (v === 'now') return [nowMs, nowMs + 1];
  if (DATE_ONLY.test(v)) {
    const start = zonedMidnightMs(v, timeZone);
    const [y, m, d] = v.split('-').map(Number) as [number, number, number];
    const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
    return [start, zonedMidnightMs(next, timeZone)];
  }
  // A datetime without a zone is read in the shop's time zone, as Shopify does.
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v);
  const ms = Date.parse(hasZone ? v : `${v}Z`);
  if (Number.isNaN(ms)) return null;
  const at = hasZone ? ms : ms - tzOffsetMs(ms, timeZone);
  return [at, at + 1];
}

function compare(op: Comparator, v: number, [start, end]: [number, number]): boolean {
  switch (op) {
    case ':':
      return v >= start && v < end;
    case '>':
      return v >= end;
    case '>=':
      return v >= start;
    case '<':
      return v < start;
    case '<=':
      return v < end;
  }
}

/** A compiled query: the predicate, the warnings, and the bounds it puts on each date/number field at top level. */
export interface CompiledSearch<T> {
  matches: (x: T) => boolean;
  warnings: SearchWarning[];
  /** [lowerInclusive, upperExclusive] implied by top-level AND terms on `field`, for index range scans. */
  boundsOf: (field: string) => [number, number];
}

/** Compiles a search query against a field table; `freeText` matches terms without a field. */
export function compileSearch<T>(
  query: string | null | undefined,
  fields: Readonly<Record<string, FieldSpec<T>>>,
  freeText: (x: T, text: string) => boolean,
  ctx: { timeZone: string; nowMs: number },
): CompiledSearch<T> {
  const warnings: SearchWarning[] = [];
  const node = parseSearch(query ?? '');
  const compileNode = (n: SearchNode): ((x: T) => boolean) => {
    switch (n.kind) {
      case 'and': {
        const fs = n.items.map(compileNode);
        return (x) => fs.every((f) => f(x));
      }
      case 'or': {
        const fs = n.items.map(compileNode);
        return (x) => fs.some((f) => f(x));
      }
      case 'not': {
        const f = compileNode(n.item);
        return (x) => !f(x);
      }
      case 'term':
        return compileTerm(n);
    }
  };
  const compileTerm = (n: { field: string | null; op: Comparator; value: string }): ((x: T) => boolean) => {
    if (n.field === null) {
      const text = n.value.toLowerCase();
      return text === '' ? () => true : (x) => freeText(x, text);
    }
    const spec = fields[n.field];
    if (spec === undefined) {
      warnings.push({ field: n.field, message: 'Invalid search field for this query.' });
      return () => true;
    }
    switch (spec.type) {
      case 'date': {
        const range = dateRange(n.value, ctx.timeZone, ctx.nowMs);
        if (range === null) {
          warnings.push({ field: n.field, message: `Invalid date value: ${n.value}` });
          return () => true;
        }
        return (x) => {
          const v = spec.get(x);
          return v !== null && compare(n.op, v, range);
        };
      }
      case 'number': {
        const num = Number(n.value);
        if (!Number.isFinite(num)) {
          warnings.push({ field: n.field, message: `Invalid number value: ${n.value}` });
          return () => true;
        }
        return (x) => {
          const v = spec.get(x);
          return v !== null && compare(n.op, v, [num, num + 1]);
        };
      }
      case 'string': {
        const want = n.value.toLowerCase();
        const prefix = want.endsWith('*');
        const stem = prefix ? want.slice(0, -1) : want;
        return (x) => {
          const v = spec.get(x)?.toLowerCase() ?? null;
          if (v === null) return false;
          return prefix ? v.startsWith(stem) : v === stem;
        };
      }
      case 'strings': {
        const want = n.value.toLowerCase();
        return (x) => spec.get(x).some((s) => s.toLowerCase() === want);
      }
      case 'bool': {
        const want = n.value.toLowerCase() === 'true';
        return (x) => spec.get(x) === want;
      }
    }
  };
  const matches = compileNode(node);
  const topTerms = node.kind === 'and' ? node.items : [node];
  const boundsOf = (field: string): [number, number] => {
    let lo = -Infinity;
    let hi = Infinity;
    const spec = fields[field];
    if (spec === undefined || (spec.type !== 'date' && spec.type !== 'number')) return [lo, hi];
    for (const t of topTerms) {
      if (t.kind !== 'term' || t.field !== field) continue;
      const r =
        spec.type === 'date'
          ? dateRange(t.value, ctx.timeZone, ctx.nowMs)
          : Number.isFinite(Number(t.value))
            ? ([Number(t.value), Number(t.value) + 1] as [number, number])
            : null;
      if (r === null) continue;
      if (t.op === ':') {
        lo = Math.max(lo, r[0]);
        hi = Math.min(hi, r[1]);
      }
      if (t.op === '>') lo = Math.max(lo, r[1]);
      if (t.op === '>=') lo = Math.max(lo, r[0]);
      if (t.op === '<') hi = Math.min(hi, r[0]);
      if (t.op === '<=') hi = Math.min(hi, r[1]);
    }
    return [lo, hi];
  };
  return { matches, warnings, boundsOf };
}
