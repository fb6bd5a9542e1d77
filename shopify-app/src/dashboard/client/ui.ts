/**
 * What every card of the embedded dashboard shares: the translator of the admin's locale, the `h` element helper,
 * number/money/date formatting, status tones and the card, KPI and table shapes. Text only ever becomes text children.
 */
import { createTranslator, type Locale, type MessageKey, type MessageParams, type Translator } from '@clvlens/core/i18n';
import { h as createElement, type ComponentChild, type ComponentChildren } from 'preact';

/** One line per metric on why it differs from what Shopify shows (catalog keys). */
export const WHY_DIFFERENT = {
  scorecard: 'dash.why.scorecard',
  repeatRate: 'dash.why.repeatRate',
  churn: 'dash.why.churn',
  cohorts: 'dash.why.cohorts',
  rfm: 'dash.why.rfm',
  atRisk: 'dash.why.atRisk',
} as const satisfies Record<string, MessageKey>;

/**
 * The translator every render uses; `startDashboard` (client.ts) sets it from the admin's locale. An exported `let` is
 * a live binding: every card that imports it reads the one {@link setDashboardLocale} set last.
 */
export let tr: Translator = createTranslator('en');
/** Sets the dashboard's language (tests, and `startDashboard` in client.ts). */
export function setDashboardLocale(locale: Locale): void {
  tr = createTranslator(locale);
}
export const t = (key: MessageKey, params?: MessageParams): string => tr.t(key, params);

export type Child = ComponentChildren;
/** Attributes and properties of an element (`hidden`, `disabled` as booleans: Preact sets them as properties). */
export type Props = Record<string, unknown>;
/** Something the dashboard renders: an element or a component. */
export type El = ComponentChild;

/**
 * A Preact element, written like the DOM it becomes: `h('p', { class: 'muted' }, text)`. String children are text
 * nodes (Preact never parses them as HTML).
 */
export function h(tag: string, attrs: Props = {}, ...children: Child[]): El {
  return createElement(tag, attrs, ...children);
}

/** Formats shop-currency minor units with the currency's own decimals, in the dashboard's locale. */
export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null || !Number.isFinite(minor)) return '—';
  return tr.money(minor, currency);
}

/** A fraction as a percentage with one decimal ("12.3%"), in the dashboard's locale. */
export function formatPercent(fraction: number | null, decimals = 1): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return tr.percent(fraction, decimals);
}

export const formatCount = (n: number): string => tr.number(n);
/** A calendar date in the shop's time zone (week starts and "as of" are local midnights and ends of local days). */
export const formatDate = (ms: number, timeZone = 'UTC'): string => tr.date(ms, timeZone);
export const formatTime = (ms: number): string => tr.time(ms);

/** The status pill's tone; `too-early` (under a week into the program) is neutral. */
export const STATUS_TONE: Record<string, string | undefined> = {
  achieved: 'success',
  'on-track': 'success',
  behind: 'critical',
  improving: 'success',
  steady: 'info',
  worsening: 'critical',
  'too-early': 'info',
};

export const TIER_TONE: Record<string, string> = { high: 'critical', medium: 'attention', low: 'success' };

export function pill(text: string, tone?: string): El {
  return h('span', { class: 'pill', 'data-tone': tone }, text);
}

export function card(id: string, title: string, ...children: Child[]): El {
  const headingId = `${id}-title`;
  return h('section', { class: 'card', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

/** A card spanning the whole grid row (tables too wide for half a page). */
export function wideCard(id: string, title: string, ...children: Child[]): El {
  const headingId = `${id}-title`;
  return h('section', { class: 'card card--wide', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

export function why(key: MessageKey): El {
  return h('p', { class: 'why' }, h('strong', {}, t('dash.whyDiffers')), t(key));
}

export function kpi(label: string, value: string, testId: string): El {
  return h('div', { class: 'kpi' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-testid': testId }, value));
}

/** A captioned table; every column but those in `textColumns` (default the first) holds numbers, right-aligned. */
export function table(caption: string, head: string[], rows: El[][], textColumns: readonly number[] = [0], className?: string, testId?: string): El {
  const thead = h('thead', {}, h('tr', {}, ...head.map((text, i) => h('th', { scope: 'col', class: textColumns.includes(i) ? undefined : 'num' }, text))));
  const tbody = h('tbody', {}, ...rows.map((cells, i) => h('tr', { key: i }, ...cells)));
  // The wrapper scrolls sideways on narrow screens: focusable and named so keyboard users can scroll it too.
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0', 'data-testid': testId },
    h('table', { class: className }, h('caption', {}, caption), thead, tbody),
  );
}

export const rowHeader = (...children: Child[]): El => h('th', { scope: 'row' }, ...children);
export const numCell = (text: string, testId?: string): El => h('td', { class: 'num', 'data-testid': testId }, text);
/** A probability as a whole percentage that never reads as a certainty ("<1%", ">99%" at the ends). */
export function formatChance(fraction: number): string {
  if (fraction < 0.005) return '<1%';
  if (fraction >= 0.995) return '>99%';
  return formatPercent(fraction, 0);
}

export function errorMessage(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : t('dash.unexpected');
}
