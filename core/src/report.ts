// `@clvlens/core/report`: the shop report alone (computeShopReport and its parts), each name also exported by the main
// entry. `clvlens report` imports it instead of the main entry, whose models (churn, CLV) it does not use: loading
// core then takes about half as long (0.15 s less on the benchmark machine, before the report's first row is read).
export { computeShopReport, computeShopReportMainMetrics, computeShopReportSideMetrics, prepareShopReport, shopReportFromParts } from './report/shop-report.ts';
export type { ShopReport, ShopReportMainMetrics, ShopReportOptions, ShopReportSideMetrics } from './report/shop-report.ts';
export type { PreparedOrders } from './dataset/prepare.ts';
export { CHURN_ALERT_DEFAULTS } from './metrics/inactivity-churn/inactivity-churn.ts';
