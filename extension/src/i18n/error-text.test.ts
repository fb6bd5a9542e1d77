import { createTranslator, LOCALES } from '@clvlens/core/i18n';
import { describe, expect, it } from 'vitest';
import { ExtensionErrorCode, type PlainError } from '../errors.ts';
import { errorText, noticeText } from './error-text.ts';

const PARAMS = { origin: 'https://clv.example.com', shop: 'demo.myshopify.com', host: 'clv.example.com', status: 503, kind: 'not-url' };
const SCRIPT = { en: /^[\x20-\x7e’“”]+$/, ko: /[\uac00-\ud7a3]/, ar: /[\u0600-\u06ff]/ } as const;

describe('errorText', () => {
  it('gives every error code a message in en, ko and ar, naming the values the error carries', () => {
    for (const locale of LOCALES) {
      const t = createTranslator(locale);
      for (const code of Object.values(ExtensionErrorCode)) {
        const text = errorText(t, { code, message: 'English detail for logs', params: PARAMS });
        expect(text, `${locale} ${code}`).not.toContain('English detail');
        expect(text, `${locale} ${code}`).toMatch(SCRIPT[locale]);
      }
      expect(errorText(t, { code: 'app-unreachable', message: '', params: PARAMS })).toContain('https://clv.example.com');
      expect(errorText(t, { code: 'app-error', message: '', params: PARAMS })).toContain('HTTP 503');
      expect(errorText(t, { code: 'quota-exceeded', message: '', params: PARAMS })).toContain('demo.myshopify.com');
    }
  });

  it('tells the four cases a merchant meets apart: offline, app unreachable, not paired, token expired or revoked', () => {
    const ko = createTranslator('ko');
    const ar = createTranslator('ar');
    const read = (code: PlainError['code']) => [errorText(ko, { code, message: '', params: PARAMS }), errorText(ar, { code, message: '', params: PARAMS })];
    expect(read('offline')).toEqual([
      '컴퓨터가 오프라인 상태입니다. 네트워크가 다시 연결되면 CLV Lens가 바로 다시 동기화합니다.',
      'جهازك غير متصل بالشبكة. سيعود CLV Lens إلى المزامنة فور عودة الاتصال.',
    ]);
    expect(read('app-unreachable')[0]).toBe('https://clv.example.com의 CLV Lens 앱에 연결할 수 없습니다. 앱이 실행 중인지, 주소가 올바른지 확인하세요.');
    expect(read('not-connected')[1]).toBe('المتجر demo.myshopify.com غير متصل. اربطه من صفحة خيارات CLV Lens.');
    expect(read('unauthorized')[0]).toContain('만료');
    expect(new Set([read('offline'), read('app-unreachable'), read('not-connected'), read('unauthorized')].map((x) => x[1])).size).toBe(4);
  });

  it('tells an http:// address apart from text that is no address at all', () => {
    const ko = createTranslator('ko');
    expect(errorText(ko, { code: 'invalid-app-url', message: '', params: { kind: 'https' } })).toMatch(/^앱 주소는 https:\/\/로 시작해야 합니다/);
    expect(errorText(ko, { code: 'invalid-app-url', message: '', params: { kind: 'not-url' } })).toMatch(/^앱 주소가 아닙니다/);
  });

  it('shows the English message of an error stored before errors carried their values, rather than a sentence with a hole', () => {
    const t = createTranslator('ko');
    expect(errorText(t, { code: 'app-unreachable', message: 'Could not reach the CLV Lens app at https://x.example.' })).toBe(
      'Could not reach the CLV Lens app at https://x.example.',
    );
    // A code that needs no values reads in the UI language even from an old record.
    expect(errorText(t, { code: 'unauthorized', message: 'old English' })).toMatch(SCRIPT.ko);
  });
});

describe('noticeText', () => {
  it('reads the storage notices in the UI language, and old notices as they were stored', () => {
    const ar = createTranslator('ar');
    expect(noticeText(ar, { atMs: 1, message: 'x', evicted: { shop: 'old.myshopify.com', forShop: 'new.myshopify.com' } })).toBe(
      'امتلأت مساحة تخزين المتصفح، فحذف CLV Lens بياناته المحفوظة للمتجر old.myshopify.com (الأقل استخدامًا مؤخرًا) لإفساح المجال للمتجر new.myshopify.com. اضغط «زامن الآن» للمتجر old.myshopify.com لجلبها من جديد.',
    );
    expect(noticeText(ar, { atMs: 1, message: 'x', error: { code: 'quota-exceeded', message: 'x', params: { shop: 's.myshopify.com' } } })).toContain(
      's.myshopify.com',
    );
    expect(noticeText(ar, { atMs: 1, message: 'Stored in English.' })).toBe('Stored in English.');
  });
});
