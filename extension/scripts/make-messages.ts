// Writes src/i18n/messages.generated.ts and src/i18n/page-messages.generated.ts: the extension's subsets of the
// shared message catalog (see messages-subset.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedModules } from './messages-subset.ts';

const src = fileURLToPath(new URL('../src', import.meta.url));
for (const [name, text] of Object.entries(generatedModules(src))) writeFileSync(fileURLToPath(new URL(`../src/i18n/${name}`, import.meta.url)), text);
