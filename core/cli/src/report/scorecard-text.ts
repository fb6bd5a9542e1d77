import { formatLocalDate, formatMinorUnits } from '@clvlens/core';
import type { ReportDocument } from './report-document.ts';

const FORMAT_LABEL: Record<string, string> = {
  'shopify-orders-export': 'Shopify orders export',
  'transaction-log': 'transaction log',
  cdnow: 'CDNOW log',
};

/** `0.1234` -> `12.3%`; null -> `n/a`. */
export function formatPercent(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? 'n/a' : `${(fraction * 100).toFixed(1)}%`;
}

/** Minor units (possibly fractional means) -> `1,234.50 USD`, rounded to the minor unit. */
export function formatMoney(amountMinor: number | null, currency: string | null): string {
  if (amountMinor === null || !Number.isFinite(amountMinor)) return 'n/a';
  if (currency === null) return String(Math.round(amountMinor));
  const [whole = '', fraction] = formatMinorUnits(Math.round(amountMinor), currency).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fraction === undefined ? grouped : `${grouped}.${fraction}`} ${currency}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function days(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)} d`;
}

/**
 * The human-readable scorecard `clvlens report` prints: every metric of the report, grouped, with the definitions
 * that matter for reading it. Only numbers from the document are shown; nothing is computed here but formatting.
 */
export function formatScorecardText(doc: ReportDocument): string {
  const cur = doc.currency;
  const money = (minor: number | null) => formatMoney(minor, cur);
  const lines: string[] = [];
  const row = (label: string, value: string, note = '') => lines.push(`  ${label.padEnd(38)} ${value.padEnd(16)} ${note}`.trimEnd());
  const section = (title: string) => lines.push('', title);

  lines.push(`CLV Lens report: ${doc.input.file} (${FORMAT_LABEL[doc.input.format] ?? doc.input.format})`);
  lines.push(
    `As of the end of ${formatLocalDate(doc.asOfMs, doc.timeZone)} in ${doc.timeZone} (${doc.asOf}` +
      `${doc.input.asOfSource === 'last-order-day' ? ", the last order's day" : ''}); ` +
      `window ${doc.windowDays} days; currency ${cur ?? 'n/a'}`,
  );
  const skipped = Object.entries(doc.orders.skippedByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${count(n)}`);
  lines.push(
    `Orders: ${count(doc.orders.counted)} counted (${count(doc.orders.unattributed)} without customer or email), ` +
      `${count(doc.orders.afterAsOf)} after as-of, skipped: ${skipped.length === 0 ? 'none' : skipped.join(', ')}. ` +
      `${count(doc.input.dataRows)} data rows read.`,
  );
  lines.push(`Customers with a counted order up to as-of: ${count(doc.customers)}`);

  section('Retention');
  const rpr = doc.repeatPurchaseRate;
  row(`Repeat purchase rate (${rpr.windowDays} d)`, formatPercent(rpr.value), `${count(rpr.repeatCustomers)} of ${count(rpr.customers)} customers ordered 2+ times in the window`);
  const rcr = doc.returningCustomers;
  row('Returning customer rate (Shopify)', formatPercent(rcr.value), `${count(rcr.returningCustomers)} of ${count(rcr.customers)}`);
  lines.push(`    ${rcr.whyItDiffers}`);
  for (const rate of doc.repurchaseWithin.overall) {
    row(`Repurchase within ${rate.days} d of 1st order`, formatPercent(rate.value), `${count(rate.repurchased)} of ${count(rate.eligible)} eligible customers`);
  }
  const churn = doc.churnDetail;
  for (const c of [churn.d30, churn.d60, churn.d90]) {
    row(`Churned (no order for > ${c.inactivityDays} d)`, formatPercent(c.value), `${count(c.churned)} of ${count(c.customers)} customers`);
  }
  const alert = churn.alert;
  row('Churn alert (90 d trend)', alert.status + (alert.direction === null ? '' : ` (${alert.direction})`), alert.rule);
  const pc = doc.periodChurn;
  const periodText = `${formatLocalDate(pc.periodStartMs, doc.timeZone)} to ${formatLocalDate(pc.periodEndMs, doc.timeZone)}`;
  row('Period churn rate (CRR)', formatPercent(pc.value), `${count(pc.churned)} of ${count(pc.activeAtStart)} active (order within ${pc.inactivityDays} d) at the start churned, ${periodText}`);
  const pr = doc.productRetention;
  row('Retention rate ((CE - CN) / CS)', formatPercent(pr.value), `CE ${count(pr.activeAtEnd)}, CN ${count(pr.newInPeriod)}, CS ${count(pr.activeAtStart)}, same period`);
  for (const gap of [doc.timeBetweenOrders.firstToSecond, doc.timeBetweenOrders.secondToThird]) {
    row(
      `Days from order ${gap.fromOrder} to ${gap.fromOrder + 1} (median)`,
      days(gap.medianDays),
      `quartiles ${days(gap.p25Days)} - ${days(gap.p75Days)}, mean ${days(gap.meanDays)}, ${count(gap.customers)} customers`,
    );
  }

  section('Value');
  row(`Average order value (${doc.windowDays} d)`, money(doc.averageOrderValueMinor));
  const h = doc.historicClv;
  row('Historic CLV per customer (mean)', money(h.meanMinor), `median ${money(h.medianMinor)}, p90 ${money(h.p90Minor)}, net of refunds`);
  const f = doc.formulaClv;
  row(
    'Formula CLV',
    money(f.valueMinor),
    `${money(f.averageOrderValueMinor)} x ${f.purchasesPerYear.toFixed(2)}/yr x ${f.expectedLifetimeYears.toFixed(2)} yr x margin ${f.marginFraction}` +
      ` (annual churn ${formatPercent(f.annualChurnRate)}, ${f.annualChurnSource})`,
  );
  if (doc.marginFraction === 1) lines.push('    Margin 1 = revenue CLV; pass --margin 0.4 for a 40% gross margin.');
  const w = doc.windowedClv;
  for (const win of w.windows) {
    row(
      `Windowed CLV (${win.lookbackDays} d)${win.lookbackDays === w.chosenLookbackDays ? ' *' : ''}`,
      money(win.valueMinor),
      `${count(win.activeCustomers)} active customers; backtest r = ${win.backtestCorrelation === null ? 'n/a' : win.backtestCorrelation.toFixed(3)}`,
    );
  }
  lines.push(`    * baseline window: ${w.chosenLookbackDays} d (${w.choice}; backtest of the next ${w.horizonDays} d on ${count(w.backtestCustomers)} customers)`);
  const m = doc.mrr.current;
  row('MRR (subscription orders, last 30 d)', money(m.mrrMinor), `${count(m.subscribers)} subscribers x ${money(m.averageRevenuePerSubscriberMinor)}`);

  section('RFM segments (customers)');
  const segments = Object.entries(doc.rfm.segmentCounts).filter(([, n]) => n > 0);
  lines.push(`  ${segments.length === 0 ? 'none' : segments.map(([name, n]) => `${name} ${count(n)}`).join(', ')}`);

  section('Cohorts (monthly, by first order)');
  const cohorts = doc.cohortMatrix.cohorts;
  const shown = cohorts.slice(-12);
  if (cohorts.length > shown.length) lines.push(`  last ${shown.length} of ${cohorts.length} cohorts; --json and --html have all`);
  lines.push(`  ${'cohort'.padEnd(8)} ${'customers'.padStart(9)}  ${'M1'.padStart(6)} ${'M3'.padStart(6)} ${'M6'.padStart(6)}  cumulative revenue / customer`);
  for (const c of shown) {
    const share = (k: number) => (c.activeShare[k] === undefined ? '' : formatPercent(c.activeShare[k] ?? null)).padStart(6);
    const last = c.cumulativeRevenuePerCustomerMinor.at(-1) ?? null;
    lines.push(`  ${c.cohortMonth.padEnd(8)} ${count(c.customers).padStart(9)}  ${share(1)} ${share(3)} ${share(6)}  ${money(last)} after ${c.cumulativeRevenuePerCustomerMinor.length - 1} months`);
  }

  if (doc.surveys !== null) {
    section('Surveys');
    const { nps, csat } = doc.surveys;
    row('NPS', nps.value === null ? 'n/a' : nps.value.toFixed(1), `${count(nps.responses)} responses: ${count(nps.promoters)} promoters, ${count(nps.passives)} passives, ${count(nps.detractors)} detractors`);
    row('CSAT', formatPercent(csat.value), `${count(csat.satisfied)} of ${count(csat.responses)} scored ${csat.satisfiedMin}-${csat.scaleMax}`);
  }

  if (doc.input.spendFile !== null) {
    section('LTV:CAC by cohort (from --spend)');
    lines.push(`  ${'cohort'.padEnd(8)} ${'new'.padStart(7)} ${'spend'.padStart(16)} ${'CAC'.padStart(14)} ${'LTV'.padStart(14)} ${'LTV:CAC'.padStart(8)}  payback`);
    for (const c of doc.ltvCac) {
      lines.push(
        `  ${c.cohortMonth.padEnd(8)} ${count(c.newCustomers).padStart(7)} ${money(c.spendMinor).padStart(16)} ${money(c.cacMinor).padStart(14)} ` +
          `${money(c.ltvMinor).padStart(14)} ${(c.ltvToCac === null ? 'n/a' : c.ltvToCac.toFixed(2)).padStart(8)}  ` +
          `${c.paybackMonth === null ? `not yet (${c.monthsObserved} months observed)` : `month ${c.paybackMonth}`}`,
      );
    }
  }

  section(`Scorecard: this week vs the ${doc.scorecard.baselineWeeks}-week baseline; targets CLV +${(doc.scorecard.targets.clvGrowthFraction * 100).toFixed(0)}%, repeat rate x${doc.scorecard.targets.repeatRateMultiplier} in ${doc.scorecard.targets.horizonWeeks} weeks`);
  lines.push(`  ${'metric'.padEnd(22)} ${'current'.padStart(14)} ${'baseline'.padStart(14)} ${'change'.padStart(8)} ${'target'.padStart(14)} ${'pace / week'.padStart(14)}  status`);
  for (const r of doc.scorecard.rows) {
    const value = (v: number | null) => (r.unit === 'fraction' ? formatPercent(v) : money(v));
    const pace = r.weeklyPaceNeeded === null ? 'n/a' : r.unit === 'fraction' ? `${(r.weeklyPaceNeeded * 100).toFixed(3)} pt` : money(r.weeklyPaceNeeded);
    lines.push(
      `  ${r.metric.padEnd(22)} ${value(r.current).padStart(14)} ${value(r.baseline).padStart(14)} ${formatPercent(r.changeVsBaseline).padStart(8)} ` +
        `${(r.target === null ? '-' : value(r.target)).padStart(14)} ${pace.padStart(14)}  ${r.status}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
