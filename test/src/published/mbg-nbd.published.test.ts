import { bgNbdProbabilityAlive, fitMbgNbd, mbgNbdLogLikelihood, mbgNbdProbabilityAlive } from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const { summaries, compressed } = cdnowSummaries(loadCdnow('CDNOW_sample.txt'));
const fitted = fitMbgNbd(compressed);
if (!fitted.ok) throw new Error(`MBG/NBD fit on CDNOW failed: ${fitted.reason}`);
const mle = fitted.value.params;

describe('fitMbgNbd on CDNOW_sample (weeks)', () => {
  it('matches the BTYDplus MBG/NBD params r, α, a, b = 0.525, 6.183, 0.891, 1.614 within 0.5%', () => {
    expect(relativeError(mle.r, 0.525)).toBeLessThan(0.005);
    expect(relativeError(mle.alpha, 6.183)).toBeLessThan(0.005);
    expect(relativeError(mle.a, 0.891)).toBeLessThan(0.005);
    expect(relativeError(mle.b, 1.614)).toBeLessThan(0.005);
  });

  it('reaches a log-likelihood at least as high as at the published (rounded) params', () => {
    expect(fitted.value.logLikelihood).toBeGreaterThanOrEqual(mbgNbdLogLikelihood({ r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }, summaries));
  });
});

describe('P(alive) of the 1,411 CDNOW one-time buyers', () => {
  it('is 1 for every one of them under BG/NBD but decays with T under MBG/NBD, which the churn badge uses', () => {
    const bgParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const oneTime = Array.from(summaries.frequency.keys()).filter((i) => summaries.frequency[i] === 0);
    expect(oneTime).toHaveLength(1411);
    for (const i of oneTime) expect(bgNbdProbabilityAlive(bgParams, 0, 0, summaries.age[i]!)).toBe(1);
    const mbg = oneTime.map((i) => [summaries.age[i]!, mbgNbdProbabilityAlive(mle, 0, 0, summaries.age[i]!)] as const).sort((p, q) => p[0] - q[0]);
    for (const [, p] of mbg) expect(p).toBeLessThan(1);
    for (let k = 1; k < mbg.length; k++) expect(mbg[k]![1]).toBeLessThanOrEqual(mbg[k - 1]![1]);
    expect(mbg[0]![1]).toBeGreaterThan(mbg.at(-1)![1]);
  });
});
