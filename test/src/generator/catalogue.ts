/**
 * The product catalogue of a generated shop: a lifestyle store with apparel (sized variants), home goods, coffee
 * (sold once or on a monthly subscription), accessories, a digital guide and gift cards. Prices are set in US dollars
 * and converted to the shop currency once, rounded to shop-like price points (`x.99`, whole yen).
 */
import { currencyExponent } from '../shop-model/money.ts';
import type { Random } from './random.ts';
import { USD_RATES } from './locale.ts';

/** One sellable variant. Prices are integer minor units of the shop currency. */
export interface CatalogueVariant {
  productId: number;
  variantId: number;
  title: string;
  /** Null for single-variant products (Shopify's "Default Title"). */
  variantTitle: string | null;
  sku: string;
  vendor: string;
  priceMinor: number;
  requiresShipping: boolean;
  taxable: boolean;
  /** Gift cards are not discountable and carry no tax. */
  giftCard: boolean;
  /** Can be bought on a subscription selling plan. */
  subscribable: boolean;
}

export interface Catalogue {
  variants: readonly CatalogueVariant[];
  /** Cumulative popularity weights over `variants` (Zipf-like), for `Random.weightedIndex`. */
  cumulativeWeight: Float64Array;
  /** Indexes into `variants` of subscribable ones. */
  subscribable: readonly number[];
  cheapestMinor: number;
}

interface Template {
  noun: string;
  usd: [number, number];
  sizes?: readonly string[];
  colors?: readonly string[];
  requiresShipping?: boolean;
  taxable?: boolean;
  giftCard?: boolean;
  subscribable?: boolean;
  fixedTitle?: string;
  fixedPricesUsd?: readonly number[];
}

const TEMPLATES: readonly Template[] = [
  { noun: 'T-Shirt', usd: [24, 42], sizes: ['S', 'M', 'L', 'XL'], colors: ['Black', 'White', 'Sage'] },
  { noun: 'Hoodie', usd: [55, 85], sizes: ['S', 'M', 'L', 'XL'], colors: ['Charcoal', 'Oat'] },
  { noun: 'Cap', usd: [22, 32], colors: ['Navy', 'Sand'] },
  { noun: 'Socks (3-pack)', usd: [12, 18], sizes: ['S/M', 'L/XL'] },
  { noun: 'Mug', usd: [14, 22] },
  { noun: 'Candle', usd: [18, 36] },
  { noun: 'Throw Blanket', usd: [65, 130] },
  { noun: 'Tote Bag', usd: [18, 30] },
  { noun: 'Water Bottle', usd: [24, 38], colors: ['Forest', 'Slate'] },
  { noun: 'Notebook', usd: [9, 16] },
  { noun: 'Coffee Beans 250g', usd: [14, 22], subscribable: true },
  { noun: 'Coffee Beans 1kg', usd: [38, 58], subscribable: true },
  { noun: 'Ceramic Pour-Over', usd: [32, 48] },
  { noun: 'Brewing Guide (PDF)', usd: [9, 19], requiresShipping: false },
];

const ADJECTIVES = ['Classic', 'Everyday', 'Heritage', 'Field', 'Studio', 'Summit', 'Harbor', 'Meadow', 'Nordic', 'Sunday'];
const VENDORS = ['Northwind Goods', 'Acme Supply Co.', 'Fernleaf & Sons'];

/** Converts a US-dollar price to a shop price point: `x.99`-style for 2-decimal currencies, round numbers otherwise. */
export function pricePoint(usd: number, currency: string): number {
  const rate = USD_RATES[currency];
  if (rate === undefined) throw new RangeError(`no exchange rate for shop currency ${currency}`);
  const exp = currencyExponent(currency);
  const major = usd * rate;
  if (exp === 0) {
    const step = major >= 1000 ? 100 : 10;
    return Math.max(step, Math.round(major / step) * step);
  }
  const unit = 10 ** exp;
  return Math.max(unit - 1, Math.round(major) * unit - 1);
}

/** Builds the catalogue of a shop deterministically from `rng` (product ids from `firstProductId`). */
export function buildCatalogue(rng: Random, currency: string, shopVendor: string, firstProductId: number): Catalogue {
  const variants: CatalogueVariant[] = [];
  let productId = firstProductId;
  let variantId = firstProductId * 10;
  const push = (t: Template, title: string, usd: number, vendor: string) => {
    productId += 1 + rng.int(50);
    const sizes = t.sizes ?? [null];
    const colors = t.colors ?? [null];
    const skuBase = title
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 18);
    for (const size of sizes) {
      for (const color of colors) {
        variantId += 1 + rng.int(50);
        const parts = [size, color].filter((x): x is string => x !== null);
        variants.push({
          productId,
          variantId,
          title,
          variantTitle: parts.length === 0 ? null : parts.join(' / '),
          sku: [skuBase, ...parts.map((x) => x.toUpperCase().replace(/[^A-Z0-9]+/g, ''))].join('-'),
          vendor,
          priceMinor: pricePoint(usd, currency),
          requiresShipping: t.requiresShipping ?? true,
          taxable: t.taxable ?? true,
          giftCard: t.giftCard ?? false,
          subscribable: t.subscribable ?? false,
        });
      }
    }
  };
  for (const t of TEMPLATES) {
    const count = 1 + rng.int(3);
    const adjectives = [...ADJECTIVES];
    for (let i = 0; i < count; i++) {
      const adjective = adjectives.splice(rng.int(adjectives.length), 1)[0]!;
      const vendor = rng.bernoulli(0.75) ? shopVendor : rng.pick(VENDORS);
      push(t, `${adjective} ${t.noun}`, rng.uniform(t.usd[0], t.usd[1]), vendor);
    }
  }
  // Gift cards: one product, three denominations, not taxable, not shipped, not discountable.
  productId += 1 + rng.int(50);
  for (const usd of [25, 50, 100]) {
    variantId += 1 + rng.int(50);
    const denominationMinor = roundDenomination(usd, currency);
    variants.push({
      productId,
      variantId,
      title: 'Gift Card',
      variantTitle: pricePointLabel(denominationMinor, currency),
      sku: `GIFT-${usd}`,
      vendor: shopVendor,
      priceMinor: denominationMinor,
      requiresShipping: false,
      taxable: false,
      giftCard: true,
      subscribable: false,
    });
  }
  // Popularity: a random permutation of Zipf(0.9) weights; gift cards are rarer than their rank says.
  const order = variants.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const weights = new Float64Array(variants.length);
  order.forEach((variantIndex, rank) => {
    weights[variantIndex] = (variants[variantIndex]!.giftCard ? 0.15 : 1) / Math.pow(rank + 1, 0.9);
  });
  const cumulativeWeight = new Float64Array(variants.length);
  let sum = 0;
  for (let i = 0; i < variants.length; i++) {
    sum += weights[i]!;
    cumulativeWeight[i] = sum;
  }
  const subscribable: number[] = [];
  variants.forEach((v, i) => {
    if (v.subscribable) subscribable.push(i);
  });
  const cheapestMinor = Math.min(...variants.map((v) => v.priceMinor));
  return { variants, cumulativeWeight, subscribable, cheapestMinor };
}

/** A gift card denomination: the dollar amount converted and rounded to 5 (or 100 for 0-decimal currencies). */
function roundDenomination(usd: number, currency: string): number {
  const exp = currencyExponent(currency);
  const major = usd * (USD_RATES[currency] ?? 1);
  const step = exp === 0 ? 100 : 5;
  return Math.max(step, Math.round(major / step) * step) * 10 ** exp;
}

function pricePointLabel(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  return `${Math.round(minor / 10 ** exp)} ${currency}`;
}
