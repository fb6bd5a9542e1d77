import { currencyExponent, DAY_MS, formatLocalDate } from '@clvlens/core/basics';
import { CHURN_ALERT_DEFAULTS } from '@clvlens/core/report';
import { churnTrendReading, createTranslator, shownScorecardStatus, type Locale, type MessageKey, type Translator } from '@clvlens/core/i18n';
import { fitTable, padEnd, width, type TableColumn } from '../text-columns.ts';
import type { ReportDocument } from './report-document.ts';

/** `0.1234` -> `12.3%`; null -> `n/a` (English; the report itself formats for its `--lang`). */
export function formatPercent(fraction: number | null): string {
  return createTranslator('en').percent(fraction);
}

/** Minor units (possibly fractional means) -> `$1,234.50`, rounded to the minor unit (English). */
export function formatMoney(amountMinor: number | null, currency: string | null): string {
  if (amountMinor === null || !Number.isFinite(amountMinor)) return 'n/a';
  if (currency === null) return String(Math.round(amountMinor));
  return createTranslator('en').money(amountMinor, currency, currencyExponent(currency));
}

const SKIP_LABEL: Readonly<Record<string, MessageKey>> = {
  test: 'cli.skip.test',
  cancelled: 'cli.skip.cancelled',
  refunded: 'cli.skip.refunded',
  'duplicate-order': 'cli.skip.duplicate-order',
  'missing-order-row': 'cli.skip.missing-order-row',
  'not-counted': 'cli.skip.not-counted',
  'no-customer': 'cli.skip.no-customer',
};

/**
 * What was not counted, in words: "Not counted: test orders: 1, cancelled orders: 2." (or "none"). Reader reasons
 * without a label of their own (`invalid-created-at`) read as rows with an unreadable value.
 */
export function describeSkips(t: Translator, skippedByReason: Readonly<Record<string, number>>): string {
  const items = Object.entries(skippedByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => {
      const key = SKIP_LABEL[reason];
      const label = key ? t.t(key) : t.t('cli.skip.other', { reason: reason.replace(/^invalid-/, '') });
      return t.t('cli.skip.item', { label, n });
    });
  return items.length === 0 ? t.t('cli.report.notCountedNone') : t.t('cli.report.notCounted', { list: t.list(items) });
}

/**
 * The human-readable scorecard `clvlens report` prints, in `locale`: every metric of the report, grouped, by its
 * human name (the catalog's, one per definition), with the terms that need it explained. Only numbers from the
 * document are shown; nothing is computed here but formatting.
 */
export function formatScorecardText(doc: ReportDocument, locale: Locale = 'en'): string {
  const w = createScorecardWriter(doc, locale);
  for (const part of PARTS) part(w, doc);
  return w.text();
}

/** What every part of the scorecard writes with: the document's translator, its number formats, and the lines so far. */
interface ScorecardWriter {
  t: Translator;
  /** Money in the document's currency (a plain number without one); null reads "n/a". */
  money(minor: number | null): string;
  n(value: number): string;
  days(value: number | null): string;
  /** A day in the shop's time zone. */
  date(ms: number): string;
  lines: (string | MetricRow)[];
  /**
   * A metric's line: its name, value and a note, in columns as wide as the widest name and value of the scorecard
   * (at least {@link LABEL_WIDTH} and {@link VALUE_WIDTH}), so a long name in Korean or Arabic shifts no value.
   */
  row(label: string, value: string, note?: string): void;
  /** Lines of a table whose columns fit their widest cell, header included (see {@link fitTable}). */
  table(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): void;
  /** An indented line under the row before: what the term means, or how the value was chosen. */
  explain(text: string): void;
  /** A blank line and a section's title. */
  section(title: string): void;
  /** The scorecard so far, one line each. */
  text(): string;
}

interface MetricRow {
  label: string;
  value: string;
  note: string;
}

/** The least widths of a metric row's name and value columns, in terminal columns. */
const LABEL_WIDTH = 44;
const VALUE_WIDTH = 16;

function createScorecardWriter(doc: ReportDocument, locale: Locale): ScorecardWriter {
  const t = createTranslator(locale);
  const cur = doc.currency;
  const exponent = cur === null ? 2 : currencyExponent(cur);
  const lines: (string | MetricRow)[] = [];
  return {
    t,
    money: (minor) => (cur === null ? (minor === null ? t.t('value.none') : t.number(Math.round(minor))) : t.money(minor, cur, exponent)),
    n: (value) => t.number(value),
    days: (value) => (value === null ? t.t('value.none') : t.t('cli.days', { n: t.number(value, 1) })),
    date: (ms) => t.date(ms, doc.timeZone),
    lines,
    row: (label, value, note = '') => lines.push({ label, value, note }),
    table: (columns, rows) => lines.push(...fitTable(columns, rows)),
    explain: (text) => lines.push(`    ${text}`),
    section: (title) => lines.push('', title),
    text() {
      const rows = lines.filter((l): l is MetricRow => typeof l !== 'string');
      const labelWidth = Math.max(LABEL_WIDTH, ...rows.map((r) => width(r.label)));
      // A value with no note after it (the churn trend's reading) takes what room it needs without widening the others.
      const valueWidth = Math.max(VALUE_WIDTH, ...rows.filter((r) => r.note !== '').map((r) => width(r.value)));
      const line = (l: string | MetricRow) =>
        typeof l === 'string' ? l : `  ${padEnd(l.label, labelWidth)} ${padEnd(l.value, valueWidth)} ${l.note}`.trimEnd();
      return `${lines.map(line).join('\n')}\n`;
    },
  };
}

/** The scorecard's parts, in the order printed. */
const PARTS: readonly ((w: ScorecardWriter, doc: ReportDocument) => void)[] = [
  writeHeading,
  writeRetention,
  writeValue,
  writeSegments,
  writeCohorts,
  writeSurveys,
  writeLtvCac,
  writeTargets,
];

/** The file, the as-of day, the window and currency, and what was counted. */
function writeHeading({ t, date, lines }: ScorecardWriter, doc: ReportDocument): void {
  lines.push(t.t('cli.report.title', { file: doc.input.file, format: t.t(`cli.format.${doc.input.format}` as MessageKey) }));
  lines.push(
    t.t(doc.input.asOfSource === 'last-order-day' ? 'cli.report.asOfLastOrder' : 'cli.report.asOf', { date: date(doc.asOfMs), timeZone: doc.timeZone }),
  );
  lines.push(t.t('cli.report.windowCurrency', { days: doc.windowDays, currency: doc.currency ?? t.t('value.none') }));
  lines.push(
    t.t('cli.report.orders', { counted: doc.orders.counted, unattributed: doc.orders.unattributed, afterAsOf: doc.orders.afterAsOf, rows: doc.input.dataRows }),
  );
  lines.push(describeSkips(t, doc.orders.skippedByReason));
  lines.push(t.t('cli.report.customers', { n: doc.customers }));
}

/** Repeat and returning rates, repurchase, churn and its trend, period churn, retention, time between orders. */
function writeRetention({ t, n, days, date, row, explain, section }: ScorecardWriter, doc: ReportDocument): void {
  section(t.t('cli.section.retention'));
  const rpr = doc.repeatPurchaseRate;
  row(
    t.t('cli.row.repeatRate', { days: rpr.windowDays }),
    t.percent(rpr.value),
    t.t('cli.note.repeatRate', { repeat: n(rpr.repeatCustomers), customers: n(rpr.customers) }),
  );
  const rcr = doc.returningCustomers;
  row(t.t('term.returningRate'), t.percent(rcr.value), t.t('cli.note.ofCustomers', { part: n(rcr.returningCustomers), whole: n(rcr.customers) }));
  explain(t.t('define.returningRate'));
  for (const rate of doc.repurchaseWithin.overall) {
    row(
      t.t('term.repurchaseWithin', { days: rate.days }),
      t.percent(rate.value),
      t.t('cli.note.repurchase', { repurchased: n(rate.repurchased), eligible: n(rate.eligible) }),
    );
  }
  const churn = doc.churnDetail;
  for (const c of [churn.d30, churn.d60, churn.d90]) {
    row(t.t('term.churnedAfter', { days: c.inactivityDays }), t.percent(c.value), t.t('cli.note.ofCustomers', { part: n(c.churned), whole: n(c.customers) }));
  }
  const reading = churnTrendReading(churn.alert);
  row(t.t('cli.row.churnTrend'), t.t(`churnAlert.short.${reading}`));
  explain(
    reading === 'insufficient'
      ? t.t('churnAlert.insufficient')
      : t.t(`churnAlert.${reading}`, { latest: t.percent(churn.alert.latest), mean: t.percent(churn.alert.baselineMean) }),
  );
  explain(
    t.t('churnAlert.rule', { weeks: CHURN_ALERT_DEFAULTS.baselineWeeks, sigmas: CHURN_ALERT_DEFAULTS.sigmas, points: CHURN_ALERT_DEFAULTS.minDelta * 100 }),
  );
  const pc = doc.periodChurn;
  row(
    t.t('cli.row.periodChurn'),
    t.percent(pc.value),
    t.t('cli.note.periodChurn', {
      churned: n(pc.churned),
      active: n(pc.activeAtStart),
      days: pc.inactivityDays,
      start: date(pc.periodStartMs),
      end: date(pc.periodEndMs),
    }),
  );
  explain(t.t('define.periodChurn'));
  const pr = doc.productRetention;
  row(
    t.t('cli.row.retentionRate'),
    t.percent(pr.value),
    t.t('cli.note.retentionRate', { atEnd: n(pr.activeAtEnd), newIn: n(pr.newInPeriod), atStart: n(pr.activeAtStart) }),
  );
  for (const gap of [doc.timeBetweenOrders.firstToSecond, doc.timeBetweenOrders.secondToThird]) {
    row(
      t.t(gap.fromOrder === 1 ? 'cli.row.gap12' : 'cli.row.gap23'),
      days(gap.medianDays),
      t.t('cli.note.gap', { p25: days(gap.p25Days), p75: days(gap.p75Days), mean: days(gap.meanDays), customers: gap.customers }),
    );
  }
}

/** Average order value, historic, formula and windowed CLV, MRR. */
function writeValue({ t, money, row, explain, section }: ScorecardWriter, doc: ReportDocument): void {
  section(t.t('cli.section.value'));
  row(t.t('cli.row.aov', { days: doc.windowDays }), money(doc.averageOrderValueMinor));
  const h = doc.historicClv;
  row(t.t('cli.row.historicClv'), money(h.meanMinor), t.t('cli.note.historicClv', { median: money(h.medianMinor), p90: money(h.p90Minor) }));
  const f = doc.formulaClv;
  row(
    t.t('term.formulaClv'),
    money(f.valueMinor),
    t.t('cli.note.formulaClv', {
      aov: money(f.averageOrderValueMinor),
      perYear: t.number(f.purchasesPerYear, 2),
      years: t.number(f.expectedLifetimeYears, 2),
      margin: t.number(f.marginFraction),
    }),
  );
  explain(t.t(`cli.note.formulaChurn.${f.annualChurnSource}`, { churn: t.percent(f.annualChurnRate) }));
  if (doc.marginFraction === 1) explain(t.t('cli.note.margin'));
  const w = doc.windowedClv;
  for (const win of w.windows) {
    row(
      `${t.t('cli.row.windowedClv', { days: win.lookbackDays })}${win.lookbackDays === w.chosenLookbackDays ? ' *' : ''}`,
      money(win.valueMinor),
      t.t('cli.note.windowedClv', {
        active: win.activeCustomers,
        horizon: w.horizonDays,
        r: win.backtestCorrelation === null ? t.t('value.none') : t.number(win.backtestCorrelation, 2),
      }),
    );
  }
  explain(
    w.choice === 'backtest'
      ? t.t('cli.note.windowedChosen', { days: w.chosenLookbackDays, horizon: w.horizonDays, customers: w.backtestCustomers })
      : t.t('cli.note.windowedDefault', { days: w.chosenLookbackDays }),
  );
  explain(t.t('define.windowedClv'));
  explain(t.t('define.backtestCorrelation'));
  const m = doc.mrr.current;
  row(t.t('cli.row.mrr'), money(m.mrrMinor), t.t('cli.note.mrr', { subscribers: m.subscribers, perSubscriber: money(m.averageRevenuePerSubscriberMinor) }));
}

/** How many customers each RFM segment holds. */
function writeSegments({ t, lines, explain, section }: ScorecardWriter, doc: ReportDocument): void {
  section(t.t('cli.section.segments'));
  const segments = Object.entries(doc.rfm.segmentCounts).filter(([, count]) => count > 0);
  lines.push(
    `  ${segments.length === 0 ? t.t('cli.none') : t.list(segments.map(([name, count]) => t.t('cli.segments.item', { name: t.t(`segment.${name}` as MessageKey), n: count })))}`,
  );
  explain(t.t('define.rfm'));
}

/** The last 12 monthly cohorts: customers, active shares after 1, 3 and 6 months, revenue per customer. */
function writeCohorts({ t, money, n, date, lines, table, explain, section }: ScorecardWriter, doc: ReportDocument): void {
  section(t.t('cli.section.cohorts'));
  const cohorts = doc.cohortMatrix.cohorts;
  const shown = cohorts.slice(-12);
  if (cohorts.length > shown.length) lines.push(`  ${t.t('cli.cohorts.shown', { shown: shown.length, total: cohorts.length })}`);
  // The last month of every cohort's row is the current month, running to asOf: complete when asOf is in its last day.
  const monthComplete = formatLocalDate(doc.asOfMs + DAY_MS, doc.timeZone).slice(0, 7) !== formatLocalDate(doc.asOfMs, doc.timeZone).slice(0, 7);
  let sawPartial = false;
  const col = (k: number) => t.t('cohort.month', { n: k });
  const rows = [[t.t('cli.cohorts.col.cohort'), t.t('cli.cohorts.col.customers'), col(1), col(3), col(6), t.t('cli.cohorts.col.revenue')]];
  for (const c of shown) {
    const lastIndex = c.activeShare.length - 1;
    const share = (k: number) => {
      const v = c.activeShare[k];
      if (v === undefined) return '';
      const partial = k === lastIndex && !monthComplete;
      sawPartial ||= partial;
      return `${t.percent(v)}${partial ? '*' : ''}`;
    };
    const last = c.cumulativeRevenuePerCustomerMinor.at(-1) ?? null;
    rows.push([
      c.cohortMonth,
      n(c.customers),
      share(1),
      share(3),
      share(6),
      t.t('cli.cohorts.revenueAfter', { amount: money(last), months: c.cumulativeRevenuePerCustomerMinor.length - 1 }),
    ]);
  }
  table(COHORT_COLUMNS, rows);
  explain(t.t('cli.cohorts.legend'));
  if (sawPartial) explain(t.t('cli.cohorts.partialNote', { date: date(doc.asOfMs) }));
}

/** NPS and CSAT, when a surveys file was given. */
function writeSurveys({ t, n, row, section }: ScorecardWriter, doc: ReportDocument): void {
  if (doc.surveys === null) return;
  section(t.t('cli.section.surveys'));
  const { nps, csat } = doc.surveys;
  row(
    t.t('term.nps'),
    nps.value === null ? t.t('value.none') : t.number(nps.value, 1),
    t.t('cli.note.nps', { responses: nps.responses, promoters: n(nps.promoters), passives: n(nps.passives), detractors: n(nps.detractors) }),
  );
  row(
    t.t('term.csat'),
    t.percent(csat.value),
    t.t('cli.note.csat', { satisfied: n(csat.satisfied), responses: n(csat.responses), min: csat.satisfiedMin, max: csat.scaleMax }),
  );
}

/** LTV:CAC per cohort month, when a spend file was given. */
function writeLtvCac({ t, money, n, table, section }: ScorecardWriter, doc: ReportDocument): void {
  if (doc.input.spendFile === null) return;
  section(t.t('cli.section.ltvCac'));
  const head = ['cohort', 'new', 'spend', 'cac', 'ltv', 'ratio', 'payback'] as const;
  const rows = [head.map((k) => t.t(`cli.ltv.col.${k}`))];
  for (const c of doc.ltvCac) {
    rows.push([
      c.cohortMonth,
      n(c.newCustomers),
      money(c.spendMinor),
      money(c.cacMinor),
      money(c.ltvMinor),
      c.ltvToCac === null ? t.t('value.none') : t.number(c.ltvToCac, 2),
      c.paybackMonth === null ? t.t('cli.ltv.notYet', { months: c.monthsObserved }) : t.t('cli.ltv.month', { n: c.paybackMonth }),
    ]);
  }
  table(LTV_COLUMNS, rows);
}

/** The weekly scorecard against the targets. */
function writeTargets({ t, money, table, explain, section }: ScorecardWriter, doc: ReportDocument): void {
  const sc = doc.scorecard;
  section(
    t.t('cli.section.scorecard', {
      weeks: sc.baselineWeeks,
      clvGrowth: t.percent(sc.targets.clvGrowthFraction, 0),
      multiplier: t.number(sc.targets.repeatRateMultiplier),
      horizon: sc.targets.horizonWeeks,
    }),
  );
  const cols = [
    'scorecard.col.metric',
    'scorecard.col.current',
    'scorecard.col.baseline',
    'scorecard.col.change',
    'scorecard.col.target',
    'scorecard.col.pace',
    'scorecard.col.status',
  ] as const;
  const rows = [cols.map((k) => t.t(k))];
  for (const r of sc.rows) {
    const value = (v: number | null) => (r.unit === 'fraction' ? t.percent(v) : money(v));
    const pace =
      r.weeklyPaceNeeded === null
        ? t.t('value.none')
        : r.unit === 'fraction'
          ? t.t('cli.scorecard.pacePoints', { points: t.number(r.weeklyPaceNeeded * 100, 3) })
          : money(r.weeklyPaceNeeded);
    const status = shownScorecardStatus(r.status, sc.weeksElapsed);
    rows.push([
      t.t(`scorecard.metric.${r.metric}`),
      value(r.current),
      value(r.baseline),
      t.percent(r.changeVsBaseline),
      r.target === null ? t.t('scorecard.noTarget') : value(r.target),
      pace,
      t.t(`scorecard.status.${status}` as MessageKey),
    ]);
  }
  table(TARGET_COLUMNS, rows);
  explain(t.t('define.windowedClv'));
}

const start = (min: number, gap = 1): TableColumn => ({ min, align: 'start', gap });
const end = (min: number, gap = 1): TableColumn => ({ min, align: 'end', gap });
/** Cohort, customers, active after 1, 3 and 6 months, revenue per customer. */
const COHORT_COLUMNS = [start(8), end(10), end(8, 2), end(8), end(8), start(0, 2)];
/** Cohort, new customers, spend, CAC, LTV, LTV:CAC, payback. */
const LTV_COLUMNS = [start(8), end(7), end(16), end(14), end(14), end(8), start(0, 2)];
/** Metric, this week, baseline, change, target, pace needed, status. */
const TARGET_COLUMNS = [start(42), end(14), end(14), end(8), end(14), end(14), start(0, 2)];
