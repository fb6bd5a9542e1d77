import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOCALES } from '@clvlens/core/i18n';
import { describe, expect, it } from 'vitest';
import { generatedModule, usedKeys } from '../../scripts/messages-subset.ts';
import { MESSAGES } from './messages.generated.ts';

const src = fileURLToPath(new URL('..', import.meta.url));

describe("the extension's subset of the message catalog", () => {
  it('is what the catalog gives now (run `pnpm --filter @clvlens/extension messages` after changing either)', () => {
    expect(readFileSync(fileURLToPath(new URL('./messages.generated.ts', import.meta.url)), 'utf8')).toBe(generatedModule(src));
  });

  it('holds, in every language, each key the source uses and at least one key under each prefix it builds keys from', () => {
    const { exact, prefixes } = usedKeys(src);
    expect(exact.size).toBeGreaterThan(50);
    for (const locale of LOCALES) {
      for (const key of exact) expect(MESSAGES[locale], `${locale} ${key}`).toHaveProperty([key]);
      for (const prefix of prefixes)
        expect(
          Object.keys(MESSAGES[locale]).some((k) => k.startsWith(prefix)),
          `${locale} ${prefix}*`,
        ).toBe(true);
    }
  });
});
