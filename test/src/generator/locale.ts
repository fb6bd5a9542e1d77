/**
 * Countries, currencies, exchange rates, sales taxes and names the generator draws from. All data is invented
 * (cities are real places, streets and people are not); e-mail domains are the reserved `example.*` ones (RFC 2606).
 */
import { dayNumberFromCivil } from '@clvlens/core';

/** A buyer country with its currency, tax regime and a few places. */
export interface CountryInfo {
  code: string;
  name: string;
  currency: string;
  /** Sales tax / VAT name and rate for domestic orders when the country has no provinces with their own rate. */
  taxName: string;
  taxRate: number;
  /** Cities with their province and a zip code (zips starting with 0 exercise the export's `'` prefix). */
  places: readonly { city: string; province: string | null; provinceCode: string | null; zip: string }[];
  streets: readonly string[];
  phonePrefix: string;
}

export const COUNTRIES: readonly CountryInfo[] = [
  {
    code: 'US',
    name: 'United States',
    currency: 'USD',
    taxName: 'State Tax',
    taxRate: 0.06,
    phonePrefix: '+1',
    streets: ['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Park Blvd', 'Elm St', 'Washington Ave', 'Lake Rd'],
    places: [
      { city: 'New York', province: 'New York', provinceCode: 'NY', zip: '10001' },
      { city: 'Brooklyn', province: 'New York', provinceCode: 'NY', zip: '11201' },
      { city: 'Los Angeles', province: 'California', provinceCode: 'CA', zip: '90012' },
      { city: 'San Francisco', province: 'California', provinceCode: 'CA', zip: '94103' },
      { city: 'Austin', province: 'Texas', provinceCode: 'TX', zip: '78701' },
      { city: 'Houston', province: 'Texas', provinceCode: 'TX', zip: '77002' },
      { city: 'Chicago', province: 'Illinois', provinceCode: 'IL', zip: '60601' },
      { city: 'Portland', province: 'Oregon', provinceCode: 'OR', zip: '97205' },
      { city: 'Seattle', province: 'Washington', provinceCode: 'WA', zip: '98101' },
      { city: 'Boston', province: 'Massachusetts', provinceCode: 'MA', zip: '02108' },
      { city: 'Miami', province: 'Florida', provinceCode: 'FL', zip: '33130' },
      { city: 'Denver', province: 'Colorado', provinceCode: 'CO', zip: '80202' },
      { city: 'Newark', province: 'New Jersey', provinceCode: 'NJ', zip: '07102' },
      { city: 'Wilmington', province: 'Delaware', provinceCode: 'DE', zip: '19801' },
    ],
  },
  {
    code: 'CA',
    name: 'Canada',
    currency: 'CAD',
    taxName: 'GST',
    taxRate: 0.05,
    phonePrefix: '+1',
    streets: ['King St W', 'Queen St E', 'Rue Sainte-Catherine', 'Granville St', 'Jasper Ave'],
    places: [
      { city: 'Toronto', province: 'Ontario', provinceCode: 'ON', zip: 'M5V 2T6' },
      { city: 'Montréal', province: 'Quebec', provinceCode: 'QC', zip: 'H3B 1A7' },
      { city: 'Vancouver', province: 'British Columbia', provinceCode: 'BC', zip: 'V6B 1A1' },
      { city: 'Edmonton', province: 'Alberta', provinceCode: 'AB', zip: 'T5J 0N3' },
    ],
  },
  {
    code: 'GB',
    name: 'United Kingdom',
    currency: 'GBP',
    taxName: 'VAT',
    taxRate: 0.2,
    phonePrefix: '+44',
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Mill Lane'],
    places: [
      { city: 'London', province: 'England', provinceCode: 'ENG', zip: 'EC1A 1BB' },
      { city: 'Manchester', province: 'England', provinceCode: 'ENG', zip: 'M1 1AE' },
      { city: 'Edinburgh', province: 'Scotland', provinceCode: 'SCT', zip: 'EH1 1YZ' },
      { city: 'Cardiff', province: 'Wales', provinceCode: 'WLS', zip: 'CF10 1EP' },
    ],
  },
  {
    code: 'DE',
    name: 'Germany',
    currency: 'EUR',
    taxName: 'MwSt',
    taxRate: 0.19,
    phonePrefix: '+49',
    streets: ['Hauptstraße', 'Bahnhofstraße', 'Gartenstraße', 'Schillerstraße', 'Lindenweg'],
    places: [
      { city: 'Berlin', province: null, provinceCode: null, zip: '10115' },
      { city: 'München', province: null, provinceCode: null, zip: '80331' },
      { city: 'Hamburg', province: null, provinceCode: null, zip: '20095' },
      { city: 'Dresden', province: null, provinceCode: null, zip: '01067' },
    ],
  },
  {
    code: 'FR',
    name: 'France',
    currency: 'EUR',
    taxName: 'TVA',
    taxRate: 0.2,
    phonePrefix: '+33',
    streets: ['Rue de la Paix', 'Avenue Victor Hugo', 'Rue du Moulin', "Boulevard de l'Europe"],
    places: [
      { city: 'Paris', province: null, provinceCode: null, zip: '75002' },
      { city: 'Lyon', province: null, provinceCode: null, zip: '69002' },
      { city: 'Bordeaux', province: null, provinceCode: null, zip: '33000' },
      { city: 'Ajaccio', province: null, provinceCode: null, zip: '20000' },
    ],
  },
  {
    code: 'AU',
    name: 'Australia',
    currency: 'AUD',
    taxName: 'GST',
    taxRate: 0.1,
    phonePrefix: '+61',
    streets: ['George St', 'Collins St', 'Queen St', 'Hay St'],
    places: [
      { city: 'Sydney', province: 'New South Wales', provinceCode: 'NSW', zip: '2000' },
      { city: 'Melbourne', province: 'Victoria', provinceCode: 'VIC', zip: '3000' },
      { city: 'Darwin', province: 'Northern Territory', provinceCode: 'NT', zip: '0800' },
    ],
  },
  {
    code: 'JP',
    name: 'Japan',
    currency: 'JPY',
    taxName: '消費税',
    taxRate: 0.1,
    phonePrefix: '+81',
    streets: ['1-2-3 Shibuya', '4-5-6 Umeda', '2-1 Sakae'],
    places: [
      { city: 'Tokyo', province: 'Tokyo', provinceCode: 'JP-13', zip: '150-0002' },
      { city: 'Osaka', province: 'Osaka', provinceCode: 'JP-27', zip: '530-0001' },
      { city: 'Nagoya', province: 'Aichi', provinceCode: 'JP-23', zip: '460-0008' },
    ],
  },
  {
    code: 'CH',
    name: 'Switzerland',
    currency: 'CHF',
    taxName: 'MWST',
    taxRate: 0.081,
    phonePrefix: '+41',
    streets: ['Bahnhofstrasse', 'Rue du Rhône', 'Marktgasse'],
    places: [
      { city: 'Zürich', province: 'Zürich', provinceCode: 'ZH', zip: '8001' },
      { city: 'Genève', province: 'Genève', provinceCode: 'GE', zip: '1204' },
    ],
  },
  {
    code: 'SE',
    name: 'Sweden',
    currency: 'SEK',
    taxName: 'Moms',
    taxRate: 0.25,
    phonePrefix: '+46',
    streets: ['Drottninggatan', 'Storgatan', 'Kungsgatan'],
    places: [
      { city: 'Stockholm', province: null, provinceCode: null, zip: '111 20' },
      { city: 'Göteborg', province: null, provinceCode: null, zip: '411 06' },
    ],
  },
  {
    code: 'NZ',
    name: 'New Zealand',
    currency: 'NZD',
    taxName: 'GST',
    taxRate: 0.15,
    phonePrefix: '+64',
    streets: ['Queen Street', 'Lambton Quay', 'Colombo Street'],
    places: [
      { city: 'Auckland', province: 'Auckland', provinceCode: 'AUK', zip: '1010' },
      { city: 'Wellington', province: 'Wellington', provinceCode: 'WGN', zip: '6011' },
    ],
  },
  {
    code: 'KW',
    name: 'Kuwait',
    currency: 'KWD',
    taxName: 'VAT',
    taxRate: 0,
    phonePrefix: '+965',
    streets: ['Fahad Al-Salem Street', 'Gulf Road'],
    places: [{ city: 'Kuwait City', province: 'Al Asimah', provinceCode: 'KU', zip: '13001' }],
  },
];

/** US state and Canadian province sales tax rates (combined, rounded; illustrative, not tax advice). */
const PROVINCE_TAX: Readonly<Record<string, { name: string; rate: number }>> = {
  'US-NY': { name: 'NY State Tax', rate: 0.08875 },
  'US-CA': { name: 'CA State Tax', rate: 0.0725 },
  'US-TX': { name: 'TX State Tax', rate: 0.0625 },
  'US-IL': { name: 'IL State Tax', rate: 0.0625 },
  'US-OR': { name: 'OR State Tax', rate: 0 },
  'US-WA': { name: 'WA State Tax', rate: 0.065 },
  'US-MA': { name: 'MA State Tax', rate: 0.0625 },
  'US-FL': { name: 'FL State Tax', rate: 0.06 },
  'US-CO': { name: 'CO State Tax', rate: 0.029 },
  'US-NJ': { name: 'NJ State Tax', rate: 0.06625 },
  'US-DE': { name: 'DE State Tax', rate: 0 },
  'CA-ON': { name: 'HST', rate: 0.13 },
  'CA-QC': { name: 'GST', rate: 0.05 },
  'CA-BC': { name: 'GST', rate: 0.05 },
  'CA-AB': { name: 'GST', rate: 0.05 },
};

/**
 * The tax line of an order shipped to (countryCode, provinceCode) by a shop in `shopCountryCode`: domestic orders pay
 * the local sales tax or VAT (exclusive pricing), exports are zero-rated. Used both when generating and when writing
 * the export's `Tax 1 Name`, so the two agree.
 */
export function taxFor(shopCountryCode: string, countryCode: string | null, provinceCode: string | null): { name: string; rate: number } | null {
  if (countryCode === null || countryCode !== shopCountryCode) return null;
  const province = provinceCode === null ? undefined : PROVINCE_TAX[`${countryCode}-${provinceCode}`];
  if (province !== undefined) return province;
  const country = COUNTRIES.find((c) => c.code === countryCode);
  return country === undefined ? null : { name: `${country.taxName} ${formatPercent(country.taxRate)}`, rate: country.taxRate };
}

function formatPercent(rate: number): string {
  return `${Math.round(rate * 10000) / 100}%`;
}

/** Units of each currency per US dollar: the mid rates the generator starts from (late-2025 levels, rounded). */
export const USD_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  CAD: 1.38,
  GBP: 0.76,
  EUR: 0.86,
  AUD: 1.53,
  JPY: 152,
  CHF: 0.8,
  SEK: 9.5,
  NZD: 1.74,
  KWD: 0.307,
};

/** The home country of a shop currency (the country whose buyers are domestic). */
export function shopCountryFor(currency: string): CountryInfo {
  const country = COUNTRIES.find((c) => c.currency === currency);
  return country ?? COUNTRIES[0]!;
}

/**
 * Units of `currency` per US dollar on a given day (days since 1970-01-01): the base rate with slow, smooth,
 * deterministic drift (a few percent over a year), so conversions change over the history like real rates do.
 */
export function usdRate(currency: string, dayNumber: number): number {
  const base = USD_RATES[currency];
  if (base === undefined) throw new RangeError(`no exchange rate for currency ${currency}; known: ${Object.keys(USD_RATES).join(', ')}`);
  if (currency === 'USD') return 1;
  let phase = 0;
  for (let i = 0; i < currency.length; i++) phase += currency.charCodeAt(i) * (i + 1);
  const drift = 0.03 * Math.sin((2 * Math.PI * dayNumber) / 365.25 + phase) + 0.008 * Math.sin((2 * Math.PI * dayNumber) / 41 + phase * 0.7);
  return base * Math.exp(drift);
}

/** Black Friday (the day after the fourth Thursday of November) as a day number, for `year`. */
export function blackFridayDay(year: number): number {
  const nov1 = dayNumberFromCivil(year, 11, 1);
  // 1970-01-01 (day 0) was a Thursday.
  const weekdayFromThursday = ((nov1 % 7) + 7) % 7;
  const firstThursday = nov1 + ((7 - weekdayFromThursday) % 7);
  return firstThursday + 21 + 1;
}

export const FIRST_NAMES: readonly string[] = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Lucas',
  'Mia',
  'Mateo',
  'Amelia',
  'Levi',
  'Harper',
  'Ethan',
  'Chloé',
  'Zoë',
  'Hiroshi',
  'Yuki',
  'Aarav',
  'Priya',
  'Fatima',
  'Omar',
  'Léa',
  'Jules',
  'Lukas',
  'Anna',
  'Jack',
  'Isla',
  'Grace',
  'Oliver',
  'Charlotte',
  'James',
  'Sofía',
  'Diego',
  'Mei',
  'Wei',
  "D'Andre",
  'Siobhán',
  'Nikolaj',
  'Ingrid',
  'Kofi',
  'Amara',
  'Ana María',
  'José',
  'Beatriz',
  'Sven',
  'Marta',
  'Tomás',
  'Nora',
  'Eli',
];

export const LAST_NAMES: readonly string[] = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Garcia',
  'Miller',
  'Davis',
  'Martínez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  "O'Brien",
  'Müller',
  'Schmidt',
  'Dubois',
  'Lefèvre',
  'Rossi',
  'Tanaka',
  'Suzuki',
  'Sato',
  'Nguyen',
  'Kim',
  'Patel',
  'Singh',
  'Cohen',
  'Kowalski',
  'Novak',
  'Andersson',
  'Johansson',
  'da Silva',
  'Okafor',
  'Mensah',
  'Murphy',
  'Kelly',
  'Fischer',
  'Weber',
  'Jones',
  'Evans',
  'Walker',
  'Wright',
  'Hall',
];

export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];
