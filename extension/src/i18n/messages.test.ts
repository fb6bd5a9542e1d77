import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOCALES } from '@clvlens/core/i18n';
import { describe, expect, it } from 'vitest';
import { coreWordingFiles, generatedModules, isPageFile, usedKeys } from '../../scripts/messages-subset.ts';
import { MESSAGES } from './messages.generated.ts';
import { PAGE_MESSAGES } from './page-messages.generated.ts';

const src = fileURLToPath(new URL('..', import.meta.url));

describe("the extension's subset of the message catalog", () => {
  it('is what the catalog gives now (run `pnpm --filter @clvlens/extension messages` after changing either)', () => {
    for (const [name, text] of Object.entries(generatedModules(src))) {
      expect(readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), 'utf8'), name).toBe(text);
    }
  });

  it('holds, in every language, each key the source uses and at least one key under each prefix it builds keys from', () => {
    // Outside the pages (the content script among them), with core's wording helpers the components call (the card's
    // churn reasons): in the module every context loads.
    const outside = usedKeys(src, (file) => !isPageFile(file), coreWordingFiles());
    expect(outside.exact).toContain('ext.reason.late');
    // The popup and the options page: in it, or in their own module.
    const pages = usedKeys(src, isPageFile);
    expect(outside.exact.size).toBeGreaterThan(50);
    expect(pages.exact.size).toBeGreaterThan(20);
    for (const locale of LOCALES) {
      const both = { ...MESSAGES[locale], ...PAGE_MESSAGES[locale] };
      for (const [used, catalog] of [
        [outside, MESSAGES[locale]],
        [pages, both],
      ] as const) {
        for (const key of used.exact) expect(catalog, `${locale} ${key}`).toHaveProperty([key]);
        for (const prefix of used.prefixes)
          expect(
            Object.keys(catalog).some((k) => k.startsWith(prefix)),
            `${locale} ${prefix}*`,
          ).toBe(true);
      }
      // No key twice: the pages' module holds only what the shared one does not.
      for (const key of Object.keys(PAGE_MESSAGES[locale])) expect(MESSAGES[locale], key).not.toHaveProperty([key]);
    }
  });
});
