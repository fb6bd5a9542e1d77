import { discountedClv, fitBgNbd, fitGammaGamma, fitMbgNbd, gammaGammaExpectedAverageValue, holdoutReport } from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const { summaries, compressed } = cdnowSummaries(loadCdnow('CDNOW_sample.txt'));
const bg = fitBgNbd(compressed);
const mbg = fitMbgNbd(compressed);
const dollars = Array.from(summaries.monetaryValueMinor, (m) => m / 100);
const gg = fitGammaGamma({ frequency: summaries.frequency, monetaryValue: dollars });
if (!bg.ok || !mbg.ok || !gg.ok) throw new Error('CDNOW fits failed');

describe('discountedClv on CDNOW_sample', () => {
  it("reproduces lifetimes' documented CLV of IDs 1..10 (H = 12, 1% a month, f = 30 on weekly data) within 0.5%", () => {
    // clv-models.md §6.2: these figures embody lifetimes' unit error (30 weeks per "month"); they pin the formula only.
    const documented = [140.0962, 18.9435, 38.1806, 38.1806, 38.1806, 1003.8683, 28.1097, 38.1806, 167.4182, 38.1806];
    documented.forEach((value, k) => {
      const i = summaries.customerKeys.indexOf(String(k + 1).padStart(4, '0'));
      const x = summaries.frequency[i]!;
      const clv = discountedClv(
        'bg-nbd',
        bg.value.params,
        { x, tx: summaries.recency[i]!, T: summaries.age[i]!, expectedAverageValue: gammaGammaExpectedAverageValue(gg.value.params, x, dollars[i]!) },
        30,
        { horizonMonths: 12, annualDiscountRate: 1.01 ** 12 - 1 },
      );
      expect(relativeError(clv, value)).toBeLessThan(0.005);
    });
  });

  it('is much smaller with the correct 4.345 weeks per month than with the documented unit error', () => {
    const i = summaries.customerKeys.indexOf('0001');
    const customer = { x: 2, tx: summaries.recency[i]!, T: summaries.age[i]!, expectedAverageValue: 24.65 };
    expect(discountedClv('bg-nbd', bg.value.params, customer, 4.345)).toBeLessThan(discountedClv('bg-nbd', bg.value.params, customer, 30) / 3);
  });
});

describe('holdoutReport on CDNOW (calibration weeks 1-39, holdout weeks 40-78)', () => {
  const bgReport = holdoutReport(bg.value, summaries, compressed);
  const mbgReport = holdoutReport(mbg.value, summaries, compressed);

  it('BG/NBD: cumulative repeat purchases at week 78 about 4% under the actual 4,339 (FHL 2005 Fig. 2)', () => {
    expect(bgReport.cumulative.actual).toBe(4339);
    expect(bgReport.cumulative.errorPercent).toBeGreaterThan(-4.5);
    expect(bgReport.cumulative.errorPercent).toBeLessThan(-3.5);
  });

  it('BG/NBD: per-customer correlation 0.626 (FHL 2005 Table 3) and 0.23 predicted for x = 0 customers (actual 0.237)', () => {
    expect(bgReport.correlation).toBeCloseTo(0.626, 2);
    const zero = bgReport.byFrequency[0]!;
    expect(zero.customers).toBe(1411);
    expect(zero.actualMean * 1411).toBeCloseTo(334, 6);
    expect(zero.predictedMean).toBeCloseTo(0.23, 2);
  });

  it('reports actual vs predicted totals, the table by frequency and the correlation for MBG/NBD too', () => {
    expect(mbgReport.model).toBe('mbg-nbd');
    expect(mbgReport.holdout.actual).toBe(1882);
    expect(mbgReport.holdout.predicted).toBeGreaterThan(1400);
    expect(mbgReport.holdout.predicted).toBeLessThan(1882);
    expect(mbgReport.correlation).toBeGreaterThan(0.6);
    expect(mbgReport.byFrequency.reduce((s, row) => s + row.customers, 0)).toBe(2357);
    // Predicted means rise with calibration frequency in both models.
    for (const report of [bgReport, mbgReport]) {
      for (let k = 1; k < report.byFrequency.length; k++) {
        expect(report.byFrequency[k]!.predictedMean).toBeGreaterThan(report.byFrequency[k - 1]!.predictedMean);
      }
    }
  });
});
