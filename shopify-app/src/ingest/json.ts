/**
 * A JSON number token of 16 or more digits (a value after `:`, `[` or `,`): the only kind that can be an integer
 * JSON.parse would round (2^53 = 9007199254740992 has 16 digits). Digits inside strings (gids, tokens) do not match
 * unless a string itself contains such text, which only costs the slower exact parse.
 */
const LONG_NUMBER = /[:[,]\s*-?\d{16}/;
const INTEGER = /^-?\d+$/;

/**
 * `JSON.parse` that keeps every integer beyond 2^53 exact, as its decimal text: Shopify's REST payloads carry 64-bit
 * ids as JSON numbers (its own sample webhooks use ids above 2^53), which JSON.parse turns into the nearest double.
 * Smaller numbers stay numbers, so `id` fields hold a number or a decimal string (both read by `parseShopifyId`).
 * A body without a long number token is parsed by plain JSON.parse; the others go through a reviver that reads the
 * number's source text (`context.source`, JSON.parse source text access, Node >= 21).
 */
export function parseJsonExact(text: string): unknown {
  return LONG_NUMBER.test(text) ? JSON.parse(text, keepLongIntegers) : JSON.parse(text);
}

function keepLongIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && INTEGER.test(source) ? source : value;
}
