// Writes src/i18n/messages.generated.ts: the extension's subset of the shared message catalog (see messages-subset.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedModule } from './messages-subset.ts';

const src = fileURLToPath(new URL('../src', import.meta.url));
writeFileSync(fileURLToPath(new URL('../src/i18n/messages.generated.ts', import.meta.url)), generatedModule(src));
