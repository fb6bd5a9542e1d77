/**
 * The subset of Shopify's GraphQL Admin API (2026-07) that CLV Lens uses, as SDL. Names, nullability and enum
 * values follow Shopify's schema so that queries written against the real API validate here unchanged;
 * `src/contract/admin-schema.contract.test.ts` checks it against Shopify's real schema for the app's API version.
 */
export const ADMIN_SDL = /* GraphQL */ `
  schema {
    query: QueryRoot
    mutation: Mutation
  }

  "An ISO 8601 UTC date-time string without milliseconds, e.g. 2026-01-02T03:04:05Z."
  scalar DateTime
  "A decimal number serialized as a string, e.g. \\"104.95\\"."
  scalar Decimal
  "A 64-bit unsigned integer serialized as a string."
  scalar UnsignedInt64
  scalar URL
  "Arbitrary JSON (an object, array or scalar), as in Shopify's schema."
  scalar JSON

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }
  enum CountPrecision {
    EXACT
    AT_LEAST
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }
  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }

  type ShopPlan {
    displayName: String!
    partnerDevelopment: Boolean!
    shopifyPlus: Boolean!
    publicDisplayName: String!
  }

  type Shop implements Node {
    id: ID!
    name: String!
    email: String!
    myshopifyDomain: String!
    url: URL!
    currencyCode: CurrencyCode!
    enabledPresentmentCurrencies: [CurrencyCode!]!
    ianaTimezone: String!
    timezoneAbbreviation: String!
    timezoneOffset: String!
    timezoneOffsetMinutes: Int!
    plan: ShopPlan!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type MailingAddress implements Node {
    id: ID!
    firstName: String
    lastName: String
    name: String
    company: String
    address1: String
    address2: String
    city: String
    province: String
    provinceCode: String
    zip: String
    country: String
    countryCodeV2: CountryCode
    phone: String
  }

  enum CustomerState {
    DECLINED
    DISABLED
    ENABLED
    INVITED
  }

  type CustomerEmailAddress {
    emailAddress: String!
  }
  type CustomerPhoneNumber {
    phoneNumber: String!
  }

  type Customer implements HasMetafields & Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    email: String @deprecated(reason: "Use defaultEmailAddress.emailAddress instead.")
    defaultEmailAddress: CustomerEmailAddress
    phone: String @deprecated(reason: "Use defaultPhoneNumber.phoneNumber instead.")
    defaultPhoneNumber: CustomerPhoneNumber
    firstName: String
    lastName: String
    displayName: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    state: CustomerState!
    verifiedEmail: Boolean!
    taxExempt: Boolean!
    note: String
    tags: [String!]!
    numberOfOrders: UnsignedInt64!
    amountSpent: MoneyV2!
    defaultAddress: MailingAddress
    lastOrder: Order
    orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, sortKey: OrderSortKeys = ID, query: String): OrderConnection!
    metafield(key: String!, namespace: String): Metafield
    metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
  }
  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }
  enum CustomerSortKeys {
    CREATED_AT
    UPDATED_AT
    ID
    NAME
    LOCATION
    RELEVANCE
  }

  enum OrderCancelReason {
    CUSTOMER
    DECLINED
    FRAUD
    INVENTORY
    OTHER
    STAFF
  }
  enum OrderDisplayFinancialStatus {
    PENDING
    AUTHORIZED
    PARTIALLY_PAID
    PAID
    PARTIALLY_REFUNDED
    REFUNDED
    VOIDED
    EXPIRED
  }
  enum OrderDisplayFulfillmentStatus {
    UNFULFILLED
    PARTIALLY_FULFILLED
    FULFILLED
    RESTOCKED
    PENDING_FULFILLMENT
    OPEN
    IN_PROGRESS
    ON_HOLD
    SCHEDULED
    REQUEST_DECLINED
  }
  enum OrderSortKeys {
    CREATED_AT
    CURRENT_TOTAL_PRICE
    CUSTOMER_NAME
    DESTINATION
    FINANCIAL_STATUS
    FULFILLMENT_STATUS
    ID
    ORDER_NUMBER
    PO_NUMBER
    PROCESSED_AT
    RELEVANCE
    TOTAL_ITEMS_QUANTITY
    TOTAL_PRICE
    UPDATED_AT
  }

  type ShippingLine {
    title: String!
    code: String
    originalPriceSet: MoneyBag!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    email: String
    phone: String
    createdAt: DateTime!
    processedAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    cancelReason: OrderCancelReason
    closed: Boolean!
    closedAt: DateTime
    confirmed: Boolean!
    test: Boolean!
    currencyCode: CurrencyCode!
    presentmentCurrencyCode: CurrencyCode!
    subtotalPriceSet: MoneyBag
    currentSubtotalPriceSet: MoneyBag!
    totalPriceSet: MoneyBag!
    currentTotalPriceSet: MoneyBag!
    totalShippingPriceSet: MoneyBag!
    currentShippingPriceSet: MoneyBag!
    totalTaxSet: MoneyBag
    currentTotalTaxSet: MoneyBag!
    totalDiscountsSet: MoneyBag
    currentTotalDiscountsSet: MoneyBag!
    totalRefundedSet: MoneyBag!
    netPaymentSet: MoneyBag!
    displayFinancialStatus: OrderDisplayFinancialStatus
    displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    fullyPaid: Boolean!
    customer: Customer
    sourceName: String
    tags: [String!]!
    note: String
    discountCode: String
    discountCodes: [String!]!
    paymentGatewayNames: [String!]!
    shippingLine: ShippingLine
    billingAddress: MailingAddress
    shippingAddress: MailingAddress
    subtotalLineItemsQuantity: Int!
    currentSubtotalLineItemsQuantity: Int!
    lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): LineItemConnection!
    refunds(first: Int): [Refund!]!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }
  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }

  type Product implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    vendor: String!
  }
  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    sku: String
    displayName: String!
  }
  type SellingPlan {
    id: ID!
    name: String!
  }
  type LineItemSellingPlan {
    name: String!
    sellingPlanId: ID
  }

  type LineItem implements Node {
    id: ID!
    name: String!
    title: String!
    variantTitle: String
    sku: String
    vendor: String
    quantity: Int!
    currentQuantity: Int!
    refundableQuantity: Int!
    originalUnitPriceSet: MoneyBag!
    discountedUnitPriceSet: MoneyBag!
    originalTotalSet: MoneyBag!
    discountedTotalSet: MoneyBag!
    totalDiscountSet: MoneyBag!
    requiresShipping: Boolean!
    taxable: Boolean!
    product: Product
    variant: ProductVariant
    sellingPlan: LineItemSellingPlan
  }
  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }
  type LineItemConnection {
    edges: [LineItemEdge!]!
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }

  enum RefundLineItemRestockType {
    NO_RESTOCK
    CANCEL
    RETURN
    LEGACY_RESTOCK
  }
  type RefundLineItem {
    id: ID
    quantity: Int!
    restockType: RefundLineItemRestockType!
    restocked: Boolean!
    lineItem: LineItem!
    subtotalSet: MoneyBag!
    totalTaxSet: MoneyBag!
    priceSet: MoneyBag!
  }
  type RefundLineItemEdge {
    cursor: String!
    node: RefundLineItem!
  }
  type RefundLineItemConnection {
    edges: [RefundLineItemEdge!]!
    nodes: [RefundLineItem!]!
    pageInfo: PageInfo!
  }

  type Refund implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    createdAt: DateTime
    updatedAt: DateTime!
    note: String
    totalRefundedSet: MoneyBag!
    order: Order!
    refundLineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): RefundLineItemConnection!
  }

  enum BulkOperationStatus {
    CREATED
    RUNNING
    COMPLETED
    CANCELING
    CANCELED
    FAILED
    EXPIRED
  }
  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }
  enum BulkOperationType {
    QUERY
    MUTATION
  }
  enum BulkOperationUserErrorCode {
    INVALID
    OPERATION_IN_PROGRESS
    LIMIT_REACHED
  }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    createdAt: DateTime!
    completedAt: DateTime
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
    query: String!
    type: BulkOperationType!
  }

  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }
  type UserError {
    field: [String!]
    message: String!
  }
  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }
  type BulkOperationCancelPayload {
    bulkOperation: BulkOperation
    userErrors: [UserError!]!
  }

  enum WebhookSubscriptionFormat {
    JSON
    XML
  }
  enum WebhookSubscriptionTopic {
    APP_UNINSTALLED
    BULK_OPERATIONS_FINISH
    CUSTOMERS_CREATE
    CUSTOMERS_DELETE
    CUSTOMERS_UPDATE
    ORDERS_CANCELLED
    ORDERS_CREATE
    ORDERS_DELETE
    ORDERS_PAID
    ORDERS_UPDATED
    REFUNDS_CREATE
    SHOP_UPDATE
  }
  input WebhookSubscriptionInput {
    uri: String
    callbackUrl: URL
    format: WebhookSubscriptionFormat
    includeFields: [String!]
    filter: String
    metafieldNamespaces: [String!]
  }
  type WebhookHttpEndpoint {
    callbackUrl: URL!
  }
  union WebhookSubscriptionEndpoint = WebhookHttpEndpoint

  type WebhookSubscription implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    topic: WebhookSubscriptionTopic!
    uri: String!
    callbackUrl: URL! @deprecated(reason: "Use uri instead.")
    endpoint: WebhookSubscriptionEndpoint!
    format: WebhookSubscriptionFormat!
    includeFields: [String!]!
    filter: String
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type WebhookSubscriptionEdge {
    cursor: String!
    node: WebhookSubscription!
  }
  type WebhookSubscriptionConnection {
    edges: [WebhookSubscriptionEdge!]!
    nodes: [WebhookSubscription!]!
    pageInfo: PageInfo!
  }
  type WebhookSubscriptionCreatePayload {
    webhookSubscription: WebhookSubscription
    userErrors: [UserError!]!
  }
  type WebhookSubscriptionDeletePayload {
    deletedWebhookSubscriptionId: ID
    userErrors: [UserError!]!
  }

  enum MetafieldOwnerType {
    API_PERMISSION
    ARTICLE
    BLOG
    CARTTRANSFORM
    COLLECTION
    COMPANY
    COMPANY_LOCATION
    CUSTOMER
    DELIVERY_CUSTOMIZATION
    DISCOUNT
    DRAFTORDER
    FULFILLMENT_CONSTRAINT_RULE
    GIFT_CARD_TRANSACTION
    LOCATION
    MARKET
    MEDIA_IMAGE
    ORDER
    ORDER_ROUTING_LOCATION_RULE
    PAGE
    PAYMENT_CUSTOMIZATION
    PRODUCT
    PRODUCTVARIANT
    SELLING_PLAN
    SHOP
    TRANSFER
    VALIDATION
  }

  "Resources that can carry metafields (the fake implements it on Customer)."
  interface HasMetafields {
    metafield(key: String!, namespace: String): Metafield
    metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
  }

  type Metafield implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    namespace: String!
    key: String!
    type: String!
    value: String!
    jsonValue: JSON!
    compareDigest: String!
    ownerType: MetafieldOwnerType!
    owner: HasMetafields!
    definition: MetafieldDefinition
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type MetafieldEdge {
    cursor: String!
    node: Metafield!
  }
  type MetafieldConnection {
    edges: [MetafieldEdge!]!
    nodes: [Metafield!]!
    pageInfo: PageInfo!
  }

  enum MetafieldAdminAccess {
    MERCHANT_READ
    MERCHANT_READ_WRITE
    PRIVATE
    PUBLIC_READ
    PUBLIC_READ_WRITE
  }
  enum MetafieldAdminAccessInput {
    MERCHANT_READ
    MERCHANT_READ_WRITE
  }
  enum MetafieldStorefrontAccess {
    NONE
    PUBLIC_READ
  }
  enum MetafieldStorefrontAccessInput {
    NONE
    PUBLIC_READ
  }
  enum MetafieldCustomerAccountAccess {
    NONE
    READ
    READ_WRITE
  }
  enum MetafieldCustomerAccountAccessInput {
    NONE
    READ
    READ_WRITE
  }
  enum MetafieldDefinitionAdminFilterStatus {
    FAILED
    FILTERABLE
    IN_PROGRESS
    NOT_FILTERABLE
  }
  enum MetafieldDefinitionPinnedStatus {
    ANY
    PINNED
    UNPINNED
  }
  enum MetafieldDefinitionSortKeys {
    ID
    NAME
    PINNED_POSITION
    RELEVANCE
  }
  enum MetafieldValidationStatus {
    ANY
    INVALID
    VALID
  }
  enum MetafieldsSetUserErrorCode {
    APP_NOT_AUTHORIZED
    BLANK
    CAPABILITY_VIOLATION
    INCLUSION
    INTERNAL_ERROR
    INVALID
    INVALID_COMPARE_DIGEST
    INVALID_TYPE
    INVALID_VALUE
    LESS_THAN_OR_EQUAL_TO
    PRESENT
    STALE_OBJECT
    TAKEN
    TOO_LONG
    TOO_SHORT
  }
  enum MetafieldDefinitionCreateUserErrorCode {
    ADMIN_ACCESS_INPUT_NOT_ALLOWED
    BLANK
    CAPABILITY_REQUIRED_BUT_DISABLED
    DUPLICATE_OPTION
    INCLUSION
    INVALID
    INVALID_CAPABILITY
    INVALID_CHARACTER
    INVALID_CONSTRAINTS
    INVALID_INPUT_COMBINATION
    INVALID_OPTION
    LIMIT_EXCEEDED
    OWNER_TYPE_LIMIT_EXCEEDED_FOR_AUTOMATED_COLLECTIONS
    OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS
    PINNED_LIMIT_REACHED
    PRESENT
    RESERVED_NAMESPACE_KEY
    RESOURCE_TYPE_LIMIT_EXCEEDED
    RESOURCE_TYPE_LIMIT_EXCEEDED_BY_APP
    TAKEN
    TOO_LONG
    TOO_SHORT
    TYPE_NOT_ALLOWED_FOR_CONDITIONS
    UNSTRUCTURED_ALREADY_EXISTS
    UNSUPPORTED_PINNING
  }

  type MetafieldAccess {
    admin: MetafieldAdminAccess
    storefront: MetafieldStorefrontAccess
    customerAccount: MetafieldCustomerAccountAccess!
  }
  type MetafieldCapabilityAdminFilterable {
    eligible: Boolean!
    enabled: Boolean!
    status: MetafieldDefinitionAdminFilterStatus!
  }
  type MetafieldCapabilitySmartCollectionCondition {
    eligible: Boolean!
    enabled: Boolean!
  }
  type MetafieldCapabilities {
    adminFilterable: MetafieldCapabilityAdminFilterable!
    smartCollectionCondition: MetafieldCapabilitySmartCollectionCondition!
  }
  type MetafieldDefinitionSupportedValidation {
    name: String!
    type: String!
  }
  type MetafieldDefinitionType {
    name: String!
    category: String!
    supportedValidations: [MetafieldDefinitionSupportedValidation!]!
  }
  type MetafieldDefinitionValidation {
    name: String!
    type: String!
    value: String
  }
  type MetafieldDefinition implements Node {
    id: ID!
    name: String!
    namespace: String!
    key: String!
    description: String
    ownerType: MetafieldOwnerType!
    type: MetafieldDefinitionType!
    validations: [MetafieldDefinitionValidation!]!
    access: MetafieldAccess!
    capabilities: MetafieldCapabilities!
    pinnedPosition: Int
    metafieldsCount(validationStatus: MetafieldValidationStatus): Int!
  }
  type MetafieldDefinitionEdge {
    cursor: String!
    node: MetafieldDefinition!
  }
  type MetafieldDefinitionConnection {
    edges: [MetafieldDefinitionEdge!]!
    nodes: [MetafieldDefinition!]!
    pageInfo: PageInfo!
  }

  input MetafieldAccessInput {
    admin: MetafieldAdminAccessInput
    storefront: MetafieldStorefrontAccessInput
    customerAccount: MetafieldCustomerAccountAccessInput
  }
  input MetafieldCapabilityAdminFilterableInput {
    enabled: Boolean!
  }
  input MetafieldCapabilitySmartCollectionConditionInput {
    enabled: Boolean!
  }
  input MetafieldCapabilityCreateInput {
    adminFilterable: MetafieldCapabilityAdminFilterableInput
    smartCollectionCondition: MetafieldCapabilitySmartCollectionConditionInput
  }
  input MetafieldDefinitionValidationInput {
    name: String!
    value: String!
  }
  input MetafieldDefinitionInput {
    namespace: String
    key: String!
    name: String!
    description: String
    ownerType: MetafieldOwnerType!
    type: String!
    validations: [MetafieldDefinitionValidationInput!]
    pin: Boolean = false
    access: MetafieldAccessInput
    capabilities: MetafieldCapabilityCreateInput
  }
  type MetafieldDefinitionCreateUserError {
    field: [String!]
    message: String!
    code: MetafieldDefinitionCreateUserErrorCode
    elementIndex: Int
    elementKey: String
  }
  type MetafieldDefinitionCreatePayload {
    createdDefinition: MetafieldDefinition
    userErrors: [MetafieldDefinitionCreateUserError!]!
  }
  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String
    key: String!
    type: String
    value: String!
    compareDigest: String
  }
  type MetafieldsSetUserError {
    field: [String!]
    message: String!
    code: MetafieldsSetUserErrorCode
    elementIndex: Int
  }
  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [MetafieldsSetUserError!]!
  }
  input MetafieldIdentifierInput {
    ownerId: ID!
    namespace: String!
    key: String!
  }
  type MetafieldIdentifier {
    ownerId: ID!
    namespace: String!
    key: String!
  }
  type MetafieldsDeletePayload {
    deletedMetafields: [MetafieldIdentifier]
    userErrors: [UserError!]!
  }

  type AppInstallation {
    id: ID!
    accessScopes: [AccessScope!]!
  }
  type AccessScope {
    handle: String!
    description: String!
  }

  # Marketing activities (scope read_marketing_events): only the fields CLV Lens reads or that identify an activity.
  type MarketingActivity implements Node {
    id: ID!
    title: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    adSpend: MoneyV2
    budget: MarketingBudget
    marketingEvent: MarketingEvent
  }
  type MarketingBudget {
    budgetType: MarketingBudgetBudgetType!
    total: MoneyV2!
  }
  enum MarketingBudgetBudgetType {
    DAILY
    LIFETIME
  }
  type MarketingEvent implements Node {
    id: ID!
    startedAt: DateTime!
    endedAt: DateTime
  }
  type MarketingActivityEdge {
    cursor: String!
    node: MarketingActivity!
  }
  type MarketingActivityConnection {
    edges: [MarketingActivityEdge!]!
    nodes: [MarketingActivity!]!
    pageInfo: PageInfo!
  }
  enum MarketingActivitySortKeys {
    CREATED_AT
    ID
    TITLE
  }

  type QueryRoot {
    shop: Shop!
    currentAppInstallation: AppInstallation!
    order(id: ID!): Order
    orders(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: OrderSortKeys = PROCESSED_AT
      query: String
      savedSearchId: ID
    ): OrderConnection!
    ordersCount(query: String, limit: Int = 10000): Count
    customer(id: ID!): Customer
    customers(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: CustomerSortKeys = ID
      query: String
    ): CustomerConnection!
    customersCount(query: String, limit: Int = 10000): Count
    marketingActivities(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: MarketingActivitySortKeys = CREATED_AT
      marketingActivityIds: [ID!] = []
    ): MarketingActivityConnection!
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    bulkOperation(id: ID!): BulkOperation
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    webhookSubscription(id: ID!): WebhookSubscription
    webhookSubscriptions(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      topics: [WebhookSubscriptionTopic!]
      uri: String
      format: WebhookSubscriptionFormat
    ): WebhookSubscriptionConnection!
    metafieldDefinitions(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      ownerType: MetafieldOwnerType!
      namespace: String
      key: String
      pinnedStatus: MetafieldDefinitionPinnedStatus = ANY
      sortKey: MetafieldDefinitionSortKeys = ID
      query: String
    ): MetafieldDefinitionConnection!
  }

  "Return type for \`flowTriggerReceive\` mutation."
  type FlowTriggerReceivePayload {
    userErrors: [UserError!]!
  }

  type Mutation {
    flowTriggerReceive(
      body: String @deprecated(reason: "Use \`payload\` and \`handle\` to execute your Flow trigger.")
      handle: String
      payload: JSON
    ): FlowTriggerReceivePayload
    bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
    webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
    webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
    metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    metafieldsDelete(metafields: [MetafieldIdentifierInput!]!): MetafieldsDeletePayload
  }
`;

/** ISO 4217 codes of Shopify's `CurrencyCode` enum (plus the legacy ones it keeps). */
const CURRENCY_CODES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP ' +
  'CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ' +
  'ILS INR IQD IRR ISK JEP JMD JOD JPY KES KGS KHR KID KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA ' +
  'MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB ' +
  'RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USDC UYU ' +
  'UZS VED VES VND VUV WST XAF XCD XOF XPF XXX YER ZAR ZMW';

const COUNTRY_CODES =
  'AC AD AE AF AG AI AL AM AN AO AR AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC ' +
  'CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FO FR GA GB GD GE ' +
  'GF GG GH GI GL GM GN GP GQ GR GS GT GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM ' +
  'KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MK ML MM MN MO MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PS PT PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ ' +
  'SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG ' +
  'VN VU WF WS XK YE YT ZA ZM ZW ZZ';

export const FULL_SDL = `${ADMIN_SDL}
enum CurrencyCode { ${CURRENCY_CODES} }
enum CountryCode { ${COUNTRY_CODES} }
`;
