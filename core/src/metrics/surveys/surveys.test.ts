import { describe, expect, it } from 'vitest';
import { CoreError } from '../../errors/core-error.ts';
import { computeCsat, computeNps } from './surveys.ts';

describe('computeNps', () => {
  it('gives 70% promoters - 10% detractors = 60 (issue 2 worked example)', () => {
    const scores = [...Array(70).fill(9), ...Array(20).fill(8), ...Array(10).fill(3)];
    expect(computeNps(scores)).toMatchObject({ value: 60, promoters: 70, passives: 20, detractors: 10, responses: 100 });
  });
  it('returns null without responses and rejects scores off the 0-10 scale', () => {
    expect(computeNps([]).value).toBeNull();
    expect(() => computeNps([11])).toThrow(CoreError);
    expect(() => computeNps([7.5])).toThrow(/NPS response #0/);
  });
});

describe('computeCsat', () => {
  it('gives 400 satisfied of 500 = 80% (issue 2 worked example)', () => {
    const scores = [...Array(300).fill(5), ...Array(100).fill(4), ...Array(60).fill(3), ...Array(40).fill(1)];
    expect(computeCsat(scores)).toMatchObject({ value: 0.8, satisfied: 400, responses: 500 });
  });
  it('rejects a score outside the scale', () => {
    expect(() => computeCsat([6])).toThrow(/CSAT response #0/);
    expect(computeCsat([7, 10], { scaleMax: 10, satisfiedMin: 8 }).value).toBe(0.5);
  });
});
