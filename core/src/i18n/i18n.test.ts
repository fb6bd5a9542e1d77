import { describe, expect, it } from 'vitest';
import {
  churnTrendReading,
  createTranslator,
  EN,
  formatMessage,
  localeFromEnvironment,
  LOCALES,
  messageArguments,
  messagesOf,
  pluralCategoriesUsed,
  resolveLocale,
  shownScorecardStatus,
  type MessageKey,
} from './i18n.ts';

describe('message catalog', () => {
  const keys = Object.keys(EN) as MessageKey[];

  it('has every English key in every locale and no other', () => {
    for (const locale of LOCALES) expect(Object.keys(messagesOf(locale)).sort()).toEqual([...keys].sort());
  });

  it('uses the same placeholders in every translation as in English', () => {
    for (const locale of LOCALES) {
      for (const key of keys) {
        expect([...messageArguments(messagesOf(locale)[key])].sort(), `${locale} ${key}`).toEqual([...messageArguments(EN[key])].sort());
      }
    }
  });

  it('names only plural categories the language has', () => {
    for (const locale of LOCALES) {
      const categories = new Set(new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[]);
      for (const key of keys) {
        for (const cases of pluralCategoriesUsed(messagesOf(locale)[key])) {
          for (const c of cases) if (!c.startsWith('=')) expect(categories.has(c), `${locale} ${key}: ${c}`).toBe(true);
        }
      }
    }
  });

  it('gives each definition one name: the scorecard’s CLV is Windowed CLV in every locale', () => {
    for (const locale of LOCALES) {
      const m = messagesOf(locale);
      expect(m['scorecard.metric.clv']).toBe(m['term.windowedClv']);
      expect(m['scorecard.metric.repeatPurchaseRate']).toBe(m['term.repeatRate']);
      expect(m['scorecard.metric.averageOrderValue']).toBe(m['term.aov']);
      const clvNames = [m['term.historicClv'], m['term.predictedClv'], m['term.windowedClv'], m['term.formulaClv']];
      expect(new Set(clvNames).size).toBe(4);
    }
  });
});

describe('formatMessage', () => {
  it('chooses English plurals and formats numbers', () => {
    expect(formatMessage('en', '{n, plural, one {# order} other {# orders}}', { n: 1 })).toBe('1 order');
    expect(formatMessage('en', '{n, plural, one {# order} other {# orders}}', { n: 1200 })).toBe('1,200 orders');
    expect(formatMessage('en', '{n, plural, =0 {none} other {# left}}', { n: 0 })).toBe('none');
  });

  it('chooses the six Arabic plural forms', () => {
    const t = createTranslator('ar');
    expect([0, 1, 2, 3, 11, 100].map((n) => t.t('unit.days', { n }))).toEqual(['0 يوم', 'يوم واحد', 'يومان', '3 أيام', '11 يومًا', '100 يوم']);
  });

  it('has no plural forms in Korean', () => {
    const t = createTranslator('ko');
    expect([1, 2, 1200].map((n) => t.t('unit.customers', { n }))).toEqual(['고객 1명', '고객 2명', '고객 1,200명']);
  });

  it('throws on a missing parameter and on malformed syntax', () => {
    expect(() => formatMessage('en', 'a {x}')).toThrow(/"x" is missing/);
    expect(() => formatMessage('en', '{n, plural, one {x}}', { n: 1 })).toThrow(/other/);
  });
});

describe('createTranslator', () => {
  it('formats money, percentages and dates for the locale', () => {
    const en = createTranslator('en');
    expect(en.money(123450, 'USD')).toBe('$1,234.50');
    expect(en.money(1234, 'JPY')).toBe('¥1,234');
    expect(en.percent(0.1234)).toBe('12.3%');
    expect(en.date(Date.UTC(2026, 2, 5, 12), 'UTC')).toBe('Mar 5, 2026');
    const ko = createTranslator('ko');
    expect(ko.money(123450, 'KRW', 0)).toBe('₩123,450');
    expect(ko.date(Date.UTC(2026, 2, 5, 12), 'UTC')).toBe('2026년 3월 5일');
    const ar = createTranslator('ar');
    expect(ar.dir).toBe('rtl');
    expect(ar.money(123450, 'USD')).toMatch(/1[,٬]?234[.٫]50|١٬٢٣٤٫٥٠/);
  });
});

describe('resolveLocale', () => {
  it('takes the language of Shopify, browser and POSIX tags, English otherwise', () => {
    expect(['ko-KR', 'ar_SA.UTF-8', 'AR', 'en-GB', 'fr', 'C', '', null].map(resolveLocale)).toEqual(['ko', 'ar', 'ar', 'en', 'en', 'en', 'en', 'en']);
  });

  it('reads LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(localeFromEnvironment({ LANG: 'ko_KR.UTF-8' })).toBe('ko');
    expect(localeFromEnvironment({ LC_ALL: 'ar_EG.UTF-8', LANG: 'ko_KR.UTF-8' })).toBe('ar');
    expect(localeFromEnvironment({ LC_ALL: '', LC_MESSAGES: 'ko', LANG: 'ar' })).toBe('ko');
    expect(localeFromEnvironment({})).toBe('en');
  });
});

describe('shownScorecardStatus', () => {
  it('says too early instead of on track or behind before a week has passed', () => {
    expect(shownScorecardStatus('on-track', 0)).toBe('too-early');
    expect(shownScorecardStatus('behind', 0.5)).toBe('too-early');
    expect(shownScorecardStatus('achieved', 0)).toBe('achieved');
    expect(shownScorecardStatus('on-track', 3)).toBe('on-track');
  });
});

describe('churnTrendReading', () => {
  it('reads falling churn as good news, never as an alarm', () => {
    expect(churnTrendReading({ status: 'alert', direction: 'down' })).toBe('falling');
    expect(churnTrendReading({ status: 'alert', direction: 'up' })).toBe('rising');
    expect(churnTrendReading({ status: 'normal', direction: null })).toBe('normal');
    expect(churnTrendReading({ status: 'insufficient-data', direction: null })).toBe('insufficient');
  });
});
