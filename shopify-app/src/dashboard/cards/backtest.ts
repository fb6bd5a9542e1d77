import type { ShopSummaryV1 } from '@clvlens/core';
import { card, formatChance, formatCount, formatDate, formatMoney, formatPercent, h, numCell, rowHeader, t, table, tr, type El } from '../client/ui.ts';

/**
 * "How right we were": the shop's churn prediction checked on its own past, in plain words, with the calibration groups
 * as a small table (predicted against actual share with no order).
 */
export function renderBacktest(summary: ShopSummaryV1, timeZone: string): El {
  const bt = summary.churnBacktest;
  const horizon = summary.churnHorizonDays;
  if (!bt) {
    return card('backtest', t('dash.backtest.title'), h('p', { 'data-testid': 'backtest-missing' }, t('dash.backtest.missing', { days: horizon })));
  }
  const tiers = (['high', 'medium', 'low'] as const).flatMap((name) => bt.tiers.filter((t) => t.tier === name && t.customers > 0));
  const again =
    tiers.length === 0
      ? null
      : t('dash.backtest.tiersIntro', {
          list: tiers
            .map((x, i) =>
              t(i === 0 ? 'dash.backtest.tierFirst' : 'dash.backtest.tierNext', {
                tier: t(`tierInSentence.${x.tier}`),
                share: formatPercent(x.orderedAgainShare, 0),
              }),
            )
            .join(t('list.semicolon')),
        });
  const cuts = bt.tierCuts;
  const cutsText = t('dash.backtest.cuts', { days: horizon, medium: formatChance(cuts.medium), high: formatChance(cuts.high) });
  const modelKey = `dash.model.${bt.chosenModel}`;
  const model = tr.has(modelKey) ? t(modelKey) : bt.chosenModel;
  const ranking =
    bt.auc === null
      ? null
      : bt.chosenModel === 'days-since-last-order' || bt.daysSinceLastOrderAuc === null
        ? t('dash.backtest.aucBest', { auc: tr.number(bt.auc, 2), model })
        : t('dash.backtest.aucVs', { auc: tr.number(bt.auc, 2), model, baseline: tr.number(bt.daysSinceLastOrderAuc, 2) });
  const rows = bt.calibration.map((g, i) => [
    rowHeader(
      i === 0 ? t('dash.backtest.lowest', { n: i + 1 }) : i === bt.calibration.length - 1 ? t('dash.backtest.highest', { n: i + 1 }) : tr.number(i + 1),
    ),
    numCell(formatCount(g.customers)),
    numCell(formatChance(g.meanPredicted), `backtest-predicted-${i}`),
    numCell(formatChance(g.observedNoOrderShare), `backtest-observed-${i}`),
  ]);
  return card(
    'backtest',
    t('dash.backtest.title'),
    h(
      'p',
      { 'data-testid': 'backtest-method' },
      t('dash.backtest.method', {
        date: formatDate(bt.cutoffMs, timeZone),
        days: bt.horizonDays,
        customers: bt.customers,
        share: formatPercent(bt.noOrderShare, 0),
      }),
    ),
    bt.horizonDays !== horizon ? h('p', { class: 'muted' }, t('dash.backtest.short', { checked: bt.horizonDays, days: horizon })) : null,
    bt.sample
      ? h(
          'p',
          { class: 'muted', 'data-testid': 'backtest-sample' },
          t('dash.backtest.sample', { customers: bt.sample.customers, ofCustomers: bt.sample.ofCustomers }),
        )
      : null,
    again ? h('p', { 'data-testid': 'backtest-tiers' }, again) : null,
    ranking ? h('p', { 'data-testid': 'backtest-auc' }, ranking) : null,
    bt.spend ? h('p', { 'data-testid': 'backtest-spend' }, spendText(bt.spend, bt.horizonDays, summary.currency)) : null,
    h('p', { class: 'muted', 'data-testid': 'backtest-cuts' }, cutsText),
    table(
      t('dash.backtest.caption'),
      [t('dash.backtest.col.group'), t('dash.segments.col.customers'), t('dash.backtest.col.predicted'), t('dash.backtest.col.happened')],
      rows,
    ),
  );
}

/** The spend check of the backtest in words: our error per customer beside the classic model's, and who spent. */
function spendText(spend: NonNullable<NonNullable<ShopSummaryV1['churnBacktest']>['spend']>, days: number, currency: string): string {
  const mae = formatMoney(Math.round(spend.maeMinor), currency);
  const top = formatPercent(spend.topDecileCapture, 0);
  if (spend.baselineMaeMinor === null || spend.baselineTopDecileCapture === null) return t('dash.backtest.spend', { days, mae, top });
  return t('dash.backtest.spendVs', {
    days,
    mae,
    top,
    classic: formatMoney(Math.round(spend.baselineMaeMinor), currency),
    classicTop: formatPercent(spend.baselineTopDecileCapture, 0),
  });
}
