import type { ShopReport } from '@clvlens/core';
import { formatCount, formatMoney, formatPercent, h, numCell, rowHeader, t, table, tr, why, wideCard, WHY_DIFFERENT, type El } from '../client/ui.ts';
import type { SegmentValueV1 } from '../segments.ts';

const segmentLabel = (segment: string | null): string => {
  if (segment === null) return t('segment.none');
  const key = `segment.${segment}`;
  return tr.has(key) ? t(key) : segment;
};

export function renderSegments(report: ShopReport, segments: SegmentValueV1[] | null): El {
  const currency = report.currency ?? 'USD';
  let body: El;
  if (segments === null) {
    const counts = Object.entries(report.rfm.segmentCounts).sort((a, b) => b[1] - a[1]);
    body = table(
      t('dash.segments.captionCounts'),
      [t('dash.segments.col.segment'), t('dash.segments.col.customers')],
      counts.map(([s, n]) => [rowHeader(segmentLabel(s)), numCell(formatCount(n))]),
    );
  } else {
    const total = segments.reduce((sum, s) => sum + s.customers, 0);
    body = table(
      t('dash.segments.caption'),
      [
        t('dash.segments.col.segment'),
        t('dash.segments.col.customers'),
        t('dash.segments.col.share'),
        t('term.historicClv'),
        t('dash.segments.col.perCustomer'),
        t('term.predictedClv'),
      ],
      segments.map((s) => [
        rowHeader(segmentLabel(s.segment)),
        numCell(formatCount(s.customers), `segment-${s.segment ?? 'none'}-customers`),
        numCell(formatPercent(total === 0 ? null : s.customers / total)),
        numCell(formatMoney(s.historicClvMinor, currency), `segment-${s.segment ?? 'none'}-clv`),
        numCell(formatMoney(s.customers === 0 ? null : Math.round(s.historicClvMinor / s.customers), currency)),
        numCell(formatMoney(s.predictedClvMinor, currency)),
      ]),
      [0],
      undefined,
      'segments-table',
    );
  }
  return wideCard('segments', t('dash.segments.title'), body, h('p', { class: 'muted' }, t('define.rfm')), why(WHY_DIFFERENT.rfm));
}
