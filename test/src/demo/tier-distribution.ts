/**
 * Prints the churn tier distribution of the generated demo shop (seed "clvlens-demo", 730 days), scored the way the
 * app's full run scores it: core's `fitChurnModels` on every counted order, then `scoreChurnRisk`.
 * `node src/demo/tier-distribution.ts [customers]` in test/ (default 20,000, the demo's size). Issue 11: the demo shop
 * must not read "Med" everywhere.
 */
import { customerKeyOf, endOfLocalDayMs, fitChurnModels, isCountedOrder, orderNetMinor, scoreChurnRisk } from '@clvlens/core';
import { generateShop } from '../generator/generate.ts';
import { toOrderRecords } from '../generator/truth.ts';

const customers = Number(process.argv[2] ?? 20_000);
const endMs = Date.UTC(2026, 11, 2, 9);
const shop = generateShop({ seed: 'clvlens-demo', customers, historyDays: 730, endMs });
const timeZone = shop.shop.ianaTimezone;
const asOfMs = endOfLocalDayMs(endMs, timeZone);
const counted = toOrderRecords(shop)
  .filter((o) => o.placedAtMs <= asOfMs && isCountedOrder(o) && customerKeyOf(o) !== null)
  .map((o) => ({ customerKey: customerKeyOf(o)!, placedAtMs: o.placedAtMs, amountMinor: orderNetMinor(o) }));
const started = Date.now();
const models = fitChurnModels(counted, { asOfMs, timeZone, horizonDays: 90 });
const scored = scoreChurnRisk(counted, models, { asOfMs, timeZone, margin: 1 });
const tiers = { low: 0, medium: 0, high: 0 };
const badges = { New: 0, low: 0, medium: 0, high: 0 };
let fresh = 0;
for (const c of scored) {
  tiers[c.churnTier]++;
  badges[c.newCustomer ? 'New' : c.churnTier]++;
  if (c.newCustomer) fresh++;
}
const share = (n: number) => `${((100 * n) / scored.length).toFixed(1)}%`;
const p = models.prediction;
console.log(JSON.stringify({ customers: scored.length, method: models.method, chosen: p?.chosen, cuts: p?.tiers, fitMs: Date.now() - started }));
console.log(
  `badges: New ${badges.New} (${share(badges.New)}), Low ${badges.low} (${share(badges.low)}), Medium ${badges.medium} (${share(badges.medium)}), High ${badges.high} (${share(badges.high)})`,
);
console.log(
  `tiers: low ${tiers.low} (${share(tiers.low)}), medium ${tiers.medium} (${share(tiers.medium)}), high ${tiers.high} (${share(tiers.high)}); shown as New: ${fresh} (${share(fresh)})`,
);
if (p) {
  console.log('backtest tiers', JSON.stringify(p.backtest.tiers));
  console.log('candidates', JSON.stringify(p.backtest.candidates));
  console.log('calibration', JSON.stringify(p.backtest.calibration));
}
