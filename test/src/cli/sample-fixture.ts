// The bundled sample export of `pnpm start` (core/cli/fixtures/sample-orders-export.csv), generated from a fixed seed
// so anyone can regenerate it: `pnpm --filter @clvlens/cli run fixture` (runs this file).
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShop } from '../generator/generate.ts';
import { writeShopifyOrdersExport } from '../generator/shopify-export.ts';

/** Generator options of the sample: 300 buyers over two years ending 2026-11-01, default shop (USD, New York). */
export const SAMPLE_SHOP_OPTIONS = { seed: 'clvlens-sample-export', customers: 300, historyDays: 730, endMs: Date.UTC(2026, 10, 1) } as const;

/** Where the sample lives, relative to this file. */
export const SAMPLE_FIXTURE_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../core/cli/fixtures/sample-orders-export.csv');

/** Writes the sample export to `path`. */
export async function writeSampleExport(path: string): Promise<void> {
  const out = createWriteStream(path);
  await writeShopifyOrdersExport(generateShop(SAMPLE_SHOP_OPTIONS), out);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeSampleExport(SAMPLE_FIXTURE_PATH);
  console.log(`wrote ${SAMPLE_FIXTURE_PATH}`);
}
