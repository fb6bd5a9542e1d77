import { describe, expect, it } from 'vitest';
import { parsePairingLink } from './pairing-link.ts';

describe('parsePairingLink', () => {
  it('reads the app address and the code from the dashboard’s link', () => {
    expect(parsePairingLink(' https://clvlens.example.com/pair?code=ABCD-1234 \n')).toEqual({ appUrl: 'https://clvlens.example.com', code: 'ABCD-1234' });
    expect(parsePairingLink('https://example.com/apps/clvlens/pair/?code=ABCD-1234')).toEqual({
      appUrl: 'https://example.com/apps/clvlens',
      code: 'ABCD-1234',
    });
    expect(parsePairingLink('http://127.0.0.1:3000/pair?code=ABCD%2D1234')).toEqual({ appUrl: 'http://127.0.0.1:3000', code: 'ABCD-1234' });
  });

  it('returns null for anything else', () => {
    expect(parsePairingLink('ABCD-1234')).toBeNull();
    expect(parsePairingLink('https://clvlens.example.com')).toBeNull();
    expect(parsePairingLink('https://clvlens.example.com/pair')).toBeNull();
    expect(parsePairingLink('javascript:alert(1)//pair?code=x')).toBeNull();
  });
});
