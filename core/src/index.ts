// Public entry of @clvlens/core: every export is listed by name. Each area keeps its own block; add lines to your
// block only.

// --- api contract (types only)
export type {
  ApiErrorCodeV1,
  ApiErrorV1,
  ChurnTierV1,
  CustomerInsightV1,
  CustomersFeedV1,
  PairRequestV1,
  PairResponseV1,
  RfmSegmentV1,
  ShopSummaryV1,
} from './api/v1.ts';

// --- data model and descriptive metrics (issue 2)

// --- predictive models and churn risk (issue 3)
