/**
 * The example bodies Shopify publishes for the webhook topics the app subscribes to (shopify-app/shopify.app.toml),
 * as raw JSON text: the body "Send test notification" delivers and the webhooks reference shows. Trimmed to the
 * fields that matter here (ids, dates, money, customer); the ids are Shopify's own, and those of orders, customers,
 * refunds and line items are above 2^53, which JSON.parse would round. The compliance topics' documented samples use
 * small ids (shop 954889, customer 191167); their big-id variants below use the order/customer sample ids instead.
 * Kept as text so that no JavaScript number ever holds an id on the way to the app.
 */

/** Shopify's sample order id (`orders/*`, `refunds/create`). */
export const SAMPLE_ORDER_ID = '820982911946154508';
/** `orders/delete`: Shopify's sample body, the order id alone. */
export const SAMPLE_ORDER_DELETE_BODY = '{"id":820982911946154508}';
/** Shopify's sample customer of that order. */
export const SAMPLE_ORDER_CUSTOMER_ID = '115310627314723954';
/** Shopify's sample `customers/*` customer id. */
export const SAMPLE_CUSTOMER_ID = '706405506930370084';
/** Shopify's sample `refunds/create` refund id. */
export const SAMPLE_REFUND_ID = '890088186047892319';

/**
 * `orders/create`, `orders/updated`, `orders/paid` (same order body). Shopify's sample is a test order
 * (`"test": true`), which the app stores but does not count; `test` lets a test send it as a real order so that its
 * customer gets an insight to serve.
 */
export function sampleOrderBody(options: { test?: boolean; cancelled?: boolean; updatedAt?: string } = {}): string {
  const updatedAt = options.updatedAt ?? '2021-12-31T19:00:00-05:00';
  return (
    `{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","app_id":null,` +
    `"browser_ip":null,"buyer_accepts_marketing":true,"cancel_reason":${options.cancelled ? '"customer"' : 'null'},` +
    `"cancelled_at":${options.cancelled ? '"2021-12-31T19:00:00-05:00"' : 'null'},"cart_token":null,"checkout_id":null,` +
    `"checkout_token":null,"confirmation_number":null,"confirmed":false,"contact_email":"jon@example.com",` +
    `"created_at":"2021-12-31T19:00:00-05:00","currency":"USD",` +
    `"current_subtotal_price":"398.00","current_subtotal_price_set":{"shop_money":{"amount":"398.00","currency_code":"USD"},"presentment_money":{"amount":"398.00","currency_code":"USD"}},` +
    `"current_total_price":"403.00","current_total_price_set":{"shop_money":{"amount":"403.00","currency_code":"USD"},"presentment_money":{"amount":"403.00","currency_code":"USD"}},` +
    `"email":"jon@example.com","financial_status":"voided","fulfillment_status":"pending","landing_site":null,` +
    `"name":"#9999","note":null,"number":234,"order_number":1234,"order_status_url":"https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg",` +
    `"processed_at":"2021-12-31T19:00:00-05:00","source_name":"web","subtotal_price":"398.00",` +
    `"tags":"tag1, tag2","test":${options.test ?? true},"token":"123456abcd",` +
    `"total_price":"403.00","total_price_set":{"shop_money":{"amount":"403.00","currency_code":"USD"},"presentment_money":{"amount":"403.00","currency_code":"USD"}},` +
    `"updated_at":"${updatedAt}","user_id":null,` +
    `"customer":{"id":115310627314723954,"email":"john@example.com","created_at":null,"updated_at":null,` +
    `"first_name":"John","last_name":"Smith","state":"disabled","note":null,"verified_email":true,` +
    `"multipass_identifier":null,"tax_exempt":false,"phone":null,"currency":"USD","tax_exemptions":[],` +
    `"admin_graphql_api_id":"gid://shopify/Customer/115310627314723954",` +
    `"default_address":{"id":715243470612851245,"customer_id":115310627314723954,"first_name":null,"last_name":null,` +
    `"company":null,"address1":"123 Elm St.","address2":null,"city":"Ottawa","province":"Ontario","country":"Canada",` +
    `"zip":"K2H7A8","phone":"123-123-1234","name":"","province_code":"ON","country_code":"CA","country_name":"Canada","default":true}},` +
    `"line_items":[{"id":866550311766439020,"admin_graphql_api_id":"gid://shopify/LineItem/866550311766439020",` +
    `"name":"Draft","price":"199.00","price_set":{"shop_money":{"amount":"199.00","currency_code":"USD"},"presentment_money":{"amount":"199.00","currency_code":"USD"}},` +
    `"product_id":632910392,"quantity":1,"sku":"IPOD2008BLACK","title":"IPod Nano - 8GB","variant_id":808950810},` +
    `{"id":141249953214522974,"admin_graphql_api_id":"gid://shopify/LineItem/141249953214522974",` +
    `"name":"Draft","price":"199.00","price_set":{"shop_money":{"amount":"199.00","currency_code":"USD"},"presentment_money":{"amount":"199.00","currency_code":"USD"}},` +
    `"product_id":632910392,"quantity":1,"sku":"IPOD2008BLACK","title":"IPod Nano - 8GB","variant_id":808950810}],` +
    `"refunds":[],"shipping_lines":[{"id":271878346596884015,"code":null,"price":"10.00","source":"shopify","title":"Generic Shipping"}]}`
  );
}

/** `refunds/create`: a refund of the sample order, with a transaction in the shop currency. */
export const SAMPLE_REFUND_BODY =
  `{"id":890088186047892319,"order_id":820982911946154508,"created_at":"2021-12-31T19:00:00-05:00",` +
  `"note":"Things were damaged","user_id":548380009,"processed_at":"2021-12-31T19:00:00-05:00","duties":[],` +
  `"total_duties_set":{"shop_money":{"amount":"0.00","currency_code":"USD"},"presentment_money":{"amount":"0.00","currency_code":"USD"}},` +
  `"return":null,"restock":false,"refund_shipping_lines":[],"admin_graphql_api_id":"gid://shopify/Refund/890088186047892319",` +
  `"order_adjustments":[],"refund_line_items":[{"id":487817672276298627,"quantity":1,"line_item_id":487817672276298554,` +
  `"location_id":null,"restock_type":"no_restock","subtotal":10.0,"total_tax":0.0,` +
  `"subtotal_set":{"shop_money":{"amount":"10.00","currency_code":"USD"},"presentment_money":{"amount":"10.00","currency_code":"USD"}}}],` +
  `"transactions":[{"id":245135121236349890,"order_id":820982911946154508,"kind":"refund","gateway":"bogus",` +
  `"status":"success","message":null,"created_at":"2021-12-31T19:00:00-05:00","test":false,"authorization":null,` +
  `"location_id":null,"user_id":null,"parent_id":null,"processed_at":null,"device_id":null,"error_code":null,` +
  `"source_name":"web","receipt":{},"amount":"10.00","currency":"USD","payment_id":"#9999.1",` +
  `"total_unsettled_set":{"presentment_money":{"amount":"0.0","currency":"USD"},"shop_money":{"amount":"0.0","currency":"USD"}},` +
  `"manual_payment_gateway":true,"admin_graphql_api_id":"gid://shopify/OrderTransaction/245135121236349890"}]}`;

/** `customers/create` and `customers/update`. */
export const SAMPLE_CUSTOMER_BODY =
  `{"id":706405506930370084,"email":"bob@biller.com","created_at":"2021-12-31T19:00:00-05:00",` +
  `"updated_at":"2021-12-31T19:00:00-05:00","first_name":"Bob","last_name":"Biller","orders_count":0,"state":"disabled",` +
  `"total_spent":"0.00","last_order_id":null,"note":"This customer loves ice cream","verified_email":true,` +
  `"multipass_identifier":null,"tax_exempt":false,"tags":"","last_order_name":null,"currency":"USD","phone":null,` +
  `"addresses":[],"tax_exemptions":[],"email_marketing_consent":null,"sms_marketing_consent":null,` +
  `"admin_graphql_api_id":"gid://shopify/Customer/706405506930370084"}`;

/** `customers/delete`. */
export const SAMPLE_CUSTOMER_DELETE_BODY =
  `{"id":706405506930370084,"phone":null,"addresses":[],"tax_exemptions":[],"email_marketing_consent":null,` +
  `"sms_marketing_consent":null,"admin_graphql_api_id":"gid://shopify/Customer/706405506930370084"}`;

/** `app/uninstalled`: the shop (id 548380009 in the sample). */
export const SAMPLE_APP_UNINSTALLED_BODY =
  `{"id":548380009,"name":"Super Toys","email":"super@supertoys.com","domain":null,"province":"Tennessee",` +
  `"country":"US","address1":"190 MacLaren Street","zip":"37178","city":"Houston","source":null,"phone":"3213213210",` +
  `"latitude":null,"longitude":null,"primary_locale":"en","address2":null,"created_at":null,"updated_at":null,` +
  `"country_code":"US","country_name":"United States","currency":"USD","customer_email":"super@supertoys.com",` +
  `"timezone":"(GMT-05:00) Eastern Time (US & Canada)","iana_timezone":null,"shop_owner":"John Smith",` +
  `"money_format":"\${{amount}}","plan_name":null,"myshopify_domain":null}`;

/** `bulk_operations/finish`. */
export const SAMPLE_BULK_OPERATIONS_FINISH_BODY =
  `{"admin_graphql_api_id":"gid://shopify/BulkOperation/147595010","completed_at":"2024-01-01T07:36:14-05:00",` +
  `"created_at":"2024-01-01T07:36:14-05:00","error_code":null,"status":"completed","type":"query"}`;

/** `customers/data_request` as documented (small ids) and with the sample order's ids. */
export function sampleDataRequestBody(
  shop: string,
  ids: { customer: string; orders: string[] } = { customer: '191167', orders: ['299938', '280263', '220458'] },
): string {
  return (
    `{"shop_id":954889,"shop_domain":"${shop}","orders_requested":[${ids.orders.join(',')}],` +
    `"customer":{"id":${ids.customer},"email":"john@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}`
  );
}

/** `customers/redact` as documented (small ids) and with the sample order's ids. */
export function sampleCustomersRedactBody(
  shop: string,
  ids: { customer: string; orders: string[] } = { customer: '191167', orders: ['299938', '280263', '220458'] },
): string {
  return (
    `{"shop_id":954889,"shop_domain":"${shop}","customer":{"id":${ids.customer},"email":"john@example.com",` +
    `"phone":"555-625-1199"},"orders_to_redact":[${ids.orders.join(',')}]}`
  );
}

/** `shop/redact`. */
export function sampleShopRedactBody(shop: string): string {
  return `{"shop_id":954889,"shop_domain":"${shop}"}`;
}
