// Public entry of @clvlens/test.

// --- shop model (fake shopify)
export { SHOP_PLANS } from './shop-model/types.ts';
export type {
  CurrencyCode,
  Customer,
  CustomerState,
  DecimalString,
  DiscountApplication,
  FinancialStatus,
  FulfillmentStatus,
  LineItem,
  MailingAddress,
  MoneyBag,
  MoneyV2,
  Order,
  OrderCancelReason,
  PlanName,
  Refund,
  RefundLineItem,
  ShippingLine,
  Shop,
  ShopData,
  ShopPlan,
} from './shop-model/types.ts';
export { currencyExponent, decimalToMinor, minorToDecimal, moneyBag } from './shop-model/money.ts';
