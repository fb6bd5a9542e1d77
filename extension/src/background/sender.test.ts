import { describe, expect, it } from 'vitest';
import { normalizeAppUrl } from '../sync/api-client.ts';
import wxtConfig from '../../wxt.config.ts';
import { isOwnSender } from './sender.ts';

describe('isOwnSender', () => {
  it('accepts only messages carrying this extension id', () => {
    expect(isOwnSender({ id: 'abc' }, 'abc')).toBe(true);
    expect(isOwnSender({ id: 'other' }, 'abc')).toBe(false);
    expect(isOwnSender({}, 'abc')).toBe(false);
    expect(isOwnSender({ id: '' }, '')).toBe(false);
  });
});

describe('normalizeAppUrl', () => {
  it('accepts http:// only for loopback app URLs', () => {
    expect(normalizeAppUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(normalizeAppUrl('http://localhost:3000')).toBe('http://localhost:3000');
    expect(normalizeAppUrl('http://[::1]:3000')).toBe('http://[::1]:3000');
    expect(normalizeAppUrl('https://clvlens.example.com/')).toBe('https://clvlens.example.com');
    for (const url of ['http://clvlens.example.com', 'http://192.168.1.10:3000', 'http://127.0.0.1.evil.example']) {
      expect(() => normalizeAppUrl(url)).toThrow(/https:\/\//);
    }
  });
});

describe('manifest', () => {
  it('gives a store build no loopback host permissions and never asks for http origins', () => {
    const previous = process.env['CLVLENS_STORE_BUILD'];
    try {
      for (const store of [false, true]) {
        if (store) process.env['CLVLENS_STORE_BUILD'] = '1';
        else delete process.env['CLVLENS_STORE_BUILD'];
        const manifest = (
          wxtConfig as unknown as { manifest: (env: { browser: string }) => { host_permissions: string[]; optional_host_permissions: string[] } }
        ).manifest({ browser: 'chrome' });
        expect(manifest.host_permissions).toEqual(store ? [] : ['http://127.0.0.1/*', 'http://localhost/*']);
        expect(manifest.optional_host_permissions).toEqual(['https://*/*']);
      }
    } finally {
      if (previous === undefined) delete process.env['CLVLENS_STORE_BUILD'];
      else process.env['CLVLENS_STORE_BUILD'] = previous;
    }
  });
});
