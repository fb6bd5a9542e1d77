/** Names, e-mails and addresses of generated buyers: deterministic per buyer index, unique e-mails. */
import type { MailingAddress } from '../shop-model/types.ts';
import type { Random } from './random.ts';
import { COUNTRIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from './locale.ts';

/** Who a buyer is. For account buyers this becomes the Customer; guests only put it on their orders. */
export interface Identity {
  firstName: string;
  lastName: string;
  /** Unique per buyer, lower case. */
  email: string;
  phone: string | null;
  /** Shared by the customer record and every order of the buyer: treat as immutable. */
  address: MailingAddress;
}

/** ASCII local part of an e-mail from a name (`"Chloé O'Brien"` -> `chloe.obrien`). */
function emailLocal(first: string, last: string): string {
  const key = `${first}|${last}`;
  const cached = localParts.get(key);
  if (cached !== undefined) return cached;
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z]+/g, '');
  const local = `${clean(first)}.${clean(last)}`;
  localParts.set(key, local);
  return local;
}

const localParts = new Map<string, string>();

/** The identity of buyer `index` living in `COUNTRIES[countryIndex]`. */
export function makeIdentity(rng: Random, index: number, countryIndex: number): Identity {
  const country = COUNTRIES[countryIndex]!;
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const place = rng.pick(country.places);
  const hasPhone = rng.bernoulli(0.3);
  const phone = hasPhone ? `${country.phonePrefix} ${100 + rng.int(900)} ${1000 + rng.int(9000)} ${100 + rng.int(900)}` : null;
  const company = rng.bernoulli(0.04) ? `${lastName} & Partners` : null;
  const address: MailingAddress = {
    firstName,
    lastName,
    company,
    address1: `${1 + rng.int(2400)} ${rng.pick(country.streets)}`,
    address2: rng.bernoulli(0.15) ? `Apt ${1 + rng.int(40)}` : null,
    city: place.city,
    province: place.province,
    provinceCode: place.provinceCode,
    zip: place.zip,
    country: country.name,
    countryCode: country.code,
    phone,
  };
  // The buyer index in base 36 keeps e-mails unique without looking like a sequence.
  const email = `${emailLocal(firstName, lastName)}.${index.toString(36)}@${rng.pick(EMAIL_DOMAINS)}`;
  return { firstName, lastName, email, phone, address };
}
