import type { Customer } from './types.ts';

/**
 * A plain enabled customer with a verified email, no phone, note, tags or address, last updated when created: what
 * the contract tests' simple shop, the live shop's stand-in owner and the metafields bench load into the fake. Any
 * other field given replaces its default.
 */
export function plainCustomer(fields: Pick<Customer, 'id' | 'email' | 'firstName' | 'lastName' | 'createdAtMs'> & Partial<Customer>): Customer {
  const { id, email, firstName, lastName, createdAtMs, ...rest } = fields;
  // Keys in Customer's order (others overridden in place), so serialized customers read as the generator's do.
  return {
    id,
    email,
    firstName,
    lastName,
    phone: null,
    createdAtMs,
    updatedAtMs: createdAtMs,
    state: 'ENABLED',
    verifiedEmail: true,
    taxExempt: false,
    acceptsMarketing: false,
    note: null,
    tags: [],
    defaultAddress: null,
    ...rest,
  };
}
