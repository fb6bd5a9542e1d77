/**
 * A small ICU MessageFormat subset, enough for the catalog and dependency-free so the same file runs in Node, the
 * embedded dashboard (served as is) and the extension: `{name}` (numbers formatted for the locale, strings as given),
 * `{name, plural, =0 {...} one {...} other {...}}` with `#` for the number and categories from Intl.PluralRules, and
 * `{name, select, a {...} other {...}}`. Apostrophe quoting is not supported; the catalog uses the typographic ’.
 */

/** A value for a placeholder: numbers are formatted for the locale; strings are inserted unchanged. */
export type MessageValue = string | number;
export type MessageParams = Readonly<Record<string, MessageValue>>;

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'arg'; name: string }
  | { kind: 'pound' }
  | { kind: 'plural'; name: string; cases: Map<string, Part[]> }
  | { kind: 'select'; name: string; cases: Map<string, Part[]> };

/** Thrown for a malformed message: a catalog bug, caught by the catalog tests. */
export class MessageSyntaxError extends Error {
  override name = 'MessageSyntaxError';
}

function parse(source: string): Part[] {
  let i = 0;
  const fail = (what: string): never => {
    throw new MessageSyntaxError(`${what} at ${i} in ${JSON.stringify(source)}`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const word = (): string => {
    skipSpace();
    const start = i;
    while (i < source.length && /[^\s,{}]/.test(source[i]!)) i++;
    if (i === start) fail('expected a name');
    return source.slice(start, i);
  };
  const parts = (inPlural: boolean, nested: boolean): Part[] => {
    const out: Part[] = [];
    let text = '';
    const flush = () => {
      if (text !== '') out.push({ kind: 'text', text });
      text = '';
    };
    while (i < source.length) {
      const ch = source[i]!;
      if (ch === '}') {
        if (!nested) fail('unexpected }');
        break;
      }
      if (ch === '#' && inPlural) {
        flush();
        out.push({ kind: 'pound' });
        i++;
        continue;
      }
      if (ch !== '{') {
        text += ch;
        i++;
        continue;
      }
      flush();
      i++;
      const name = word();
      skipSpace();
      if (source[i] === '}') {
        i++;
        out.push({ kind: 'arg', name });
        continue;
      }
      if (source[i] !== ',') fail('expected , or }');
      i++;
      const type = word();
      if (type !== 'plural' && type !== 'select') fail(`unknown argument type ${type}`);
      skipSpace();
      if (source[i] !== ',') fail('expected ,');
      i++;
      const cases = new Map<string, Part[]>();
      for (;;) {
        skipSpace();
        if (source[i] === '}') {
          i++;
          break;
        }
        const key = word();
        skipSpace();
        if (source[i] !== '{') fail('expected {');
        i++;
        cases.set(key, parts(type === 'plural', true));
        if (source[i] !== '}') fail('expected }');
        i++;
      }
      if (!cases.has('other')) fail(`${type} without an "other" case`);
      out.push({ kind: type as 'plural' | 'select', name, cases });
    }
    flush();
    return out;
  };
  const result = parts(false, false);
  if (i < source.length) fail('unexpected }');
  return result;
}

const parsed = new Map<string, Part[]>();

/** The placeholder names a message uses (for the catalog tests: every translation uses the same ones). */
export function messageArguments(source: string): Set<string> {
  const names = new Set<string>();
  const walk = (list: Part[]) => {
    for (const part of list) {
      if (part.kind === 'arg') names.add(part.name);
      if (part.kind === 'plural' || part.kind === 'select') {
        names.add(part.name);
        for (const branch of part.cases.values()) walk(branch);
      }
    }
  };
  walk(parse(source));
  return names;
}

/** The plural categories a message's `plural` arguments name (for the catalog tests). */
export function pluralCategoriesUsed(source: string): string[][] {
  const out: string[][] = [];
  const walk = (list: Part[]) => {
    for (const part of list) {
      if (part.kind === 'plural') out.push([...part.cases.keys()]);
      if (part.kind === 'plural' || part.kind === 'select') for (const branch of part.cases.values()) walk(branch);
    }
  };
  walk(parse(source));
  return out;
}

// An Intl formatter costs ~0.1-0.2 ms to build and ~1 µs to use; a list page formats hundreds of messages at once.
const formatsByLocale = new Map<string, { numbers: Intl.NumberFormat; plurals: Intl.PluralRules }>();

function localeFormats(locale: string): { numbers: Intl.NumberFormat; plurals: Intl.PluralRules } {
  let f = formatsByLocale.get(locale);
  if (f === undefined) {
    f = { numbers: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }), plurals: new Intl.PluralRules(locale) };
    formatsByLocale.set(locale, f);
  }
  return f;
}

/**
 * Formats `source` for `locale` with `params`. A missing parameter is a bug: it throws a TypeError naming it.
 * @example formatMessage('en', '{n, plural, one {# order} other {# orders}}', { n: 1200 }) // "1,200 orders"
 */
export function formatMessage(locale: string, source: string, params: MessageParams = {}): string {
  let tree = parsed.get(source);
  if (tree === undefined) {
    tree = parse(source);
    parsed.set(source, tree);
  }
  const { numbers, plurals } = localeFormats(locale);
  const value = (name: string): MessageValue => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`message parameter "${name}" is missing in ${JSON.stringify(source)}`);
    return v;
  };
  const render = (list: Part[], pound: number | null): string => {
    let out = '';
    for (const part of list) {
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'pound') out += pound === null ? '#' : numbers.format(pound);
      else if (part.kind === 'arg') {
        const v = value(part.name);
        out += typeof v === 'number' ? numbers.format(v) : v;
      } else if (part.kind === 'plural') {
        const n = Number(value(part.name));
        const branch = part.cases.get(`=${n}`) ?? part.cases.get(plurals.select(n)) ?? part.cases.get('other')!;
        out += render(branch, n);
      } else {
        const key = String(value(part.name));
        out += render(part.cases.get(key) ?? part.cases.get('other')!, pound);
      }
    }
    return out;
  };
  return render(tree, null);
}
