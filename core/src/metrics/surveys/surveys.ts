import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';

/** Net Promoter Score from 0-10 answers. */
export interface Nps {
  /** % promoters - % detractors, in points from -100 to 100; null without responses. */
  value: number | null;
  responses: number;
  /** Scores 9-10. */
  promoters: number;
  /** Scores 7-8. */
  passives: number;
  /** Scores 0-6. */
  detractors: number;
}

/**
 * NPS = % promoters (9-10) - % detractors (0-6), in points. Throws `invalid-survey-response` naming the response
 * index for a score that is not a whole number from 0 to 10.
 * @example 70% promoters, 10% detractors -> 60
 */
export function computeNps(scores: readonly number[]): Nps {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  scores.forEach((score, i) => {
    if (!Number.isInteger(score) || score < 0 || score > 10) {
      throw new CoreError(CoreErrorCode.invalidSurveyResponse, `NPS response #${i}: score must be a whole number from 0 to 10, got ${score}.`);
    }
    if (score >= 9) promoters++;
    else if (score >= 7) passives++;
    else detractors++;
  });
  const responses = scores.length;
  return {
    value: responses === 0 ? null : ((promoters - detractors) / responses) * 100,
    responses,
    promoters,
    passives,
    detractors,
  };
}

/** Customer satisfaction score. */
export interface Csat {
  /** satisfied / responses in [0, 1]; null without responses. */
  value: number | null;
  responses: number;
  satisfied: number;
  scaleMax: number;
  satisfiedMin: number;
}

/**
 * CSAT = satisfied responses / responses, where satisfied means a score >= `satisfiedMin` on a 1..`scaleMax` scale
 * (default 4 and 5: "satisfied" or "very satisfied" on a five-point scale).
 * @example 400 satisfied of 500 -> 0.8
 */
export function computeCsat(scores: readonly number[], options: { scaleMax?: number; satisfiedMin?: number } = {}): Csat {
  const scaleMax = options.scaleMax ?? 5;
  const satisfiedMin = options.satisfiedMin ?? 4;
  if (!Number.isInteger(scaleMax) || scaleMax < 2 || !Number.isInteger(satisfiedMin) || satisfiedMin < 1 || satisfiedMin > scaleMax) {
    throw new CoreError(CoreErrorCode.invalidArgument, `CSAT needs whole numbers with 1 <= satisfiedMin <= scaleMax, got ${satisfiedMin} and ${scaleMax}.`);
  }
  let satisfied = 0;
  scores.forEach((score, i) => {
    if (!Number.isInteger(score) || score < 1 || score > scaleMax) {
      throw new CoreError(CoreErrorCode.invalidSurveyResponse, `CSAT response #${i}: score must be a whole number from 1 to ${scaleMax}, got ${score}.`);
    }
    if (score >= satisfiedMin) satisfied++;
  });
  return { value: scores.length === 0 ? null : satisfied / scores.length, responses: scores.length, satisfied, scaleMax, satisfiedMin };
}
