import type { CustomerInsightV1 } from '@clvlens/core';

// What the extension shows for an insight, in English, for the browser tests and the benches (no test runner here).

export const pct = (f: number) => `${Math.round(f * 100)}%`;

/** A probability as the extension shows it: whole percent, "<1%" and ">99%" at the ends. */
export const chance = (f: number) => (f < 0.005 ? '<1%' : f >= 0.995 ? '>99%' : pct(f));

const TIER_LABEL = { low: 'Low risk', medium: 'Medium risk', high: 'High risk' } as const;

/** What a badge's tier part reads for an insight: "High risk 82%", or "New customer". */
export const badgeRisk = (c: CustomerInsightV1) => (c.newCustomer ? 'New customer' : `${TIER_LABEL[c.churnTier]} ${chance(c.churnProbability)}`);
