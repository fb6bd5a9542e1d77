import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { captureIo, SHOPIFY_HEADER, shopifyRow, tempDir } from '../testing/temp-files.ts';

// Issue 13, "Numbers", CSV half: generated hostile exports must end in a result or a clear input error (exit 0 or 3),
// never an internal error. 1,000 files take a few seconds.
const FILES = Number(process.env['CLVLENS_FUZZ_CSV_FILES'] ?? 1000);
const files = tempDir();

const goodRow = (i: number): string =>
  shopifyRow({
    Name: `#${1000 + i}`,
    Email: `c${i % 20}@fuzz.example`,
    'Financial Status': 'paid',
    Currency: 'USD',
    Total: `${(i % 90) + 10}.00`,
    'Created at': `2026-0${(i % 9) + 1}-0${(i % 8) + 1} 10:00:00 +0000`,
    'Lineitem quantity': '1',
    'Lineitem name': 'Thing',
    'Lineitem price': '10.00',
    Id: String(5000 + i),
  });

const mutation = fc.constantFrom(
  'invalid-utf8',
  'megabyte-line',
  'open-quote',
  'stray-quote',
  'short-row',
  'long-row',
  'garbage',
  'nul-bytes',
  'crlf-mix',
  'empty',
  'header-only',
  'bom',
);

function hostileFile(kind: string, rows: number, at: number): Buffer {
  const lines = [SHOPIFY_HEADER, ...Array.from({ length: rows }, (_, i) => goodRow(i))];
  const k = Math.min(1 + (at % Math.max(1, rows)), lines.length - 1);
  switch (kind) {
    case 'invalid-utf8':
      return Buffer.concat([
        Buffer.from(`${lines.slice(0, k).join('\n')}\n`),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0x2c]),
        Buffer.from(`\n${lines.slice(k).join('\n')}\n`),
      ]);
    case 'megabyte-line':
      lines.splice(k, 0, `#9999,${'x'.repeat(1024 * 1024)},paid`);
      break;
    case 'open-quote':
      lines.splice(k, 0, `"#9998,"unterminated,paid,USD`);
      break;
    case 'stray-quote':
      lines[k] = lines[k]!.replace(',', ',ab"c"d,');
      break;
    case 'short-row':
      lines.splice(k, 0, '#9997,only-two');
      break;
    case 'long-row':
      lines.splice(k, 0, `${goodRow(k)},${'extra,'.repeat(50)}`);
      break;
    case 'garbage':
      lines.splice(k, 0, '\u0001\u0002\u0003;;;|||\t\t');
      break;
    case 'nul-bytes':
      lines[k] = `${lines[k]!}\u0000\u0000`;
      break;
    case 'crlf-mix':
      return Buffer.from(lines.map((l, i) => `${l}${i % 2 ? '\r\n' : '\r'}`).join(''));
    case 'empty':
      return Buffer.alloc(0);
    case 'header-only':
      return Buffer.from(`${SHOPIFY_HEADER}\n`);
    case 'bom':
      return Buffer.from(`\uFEFF${lines.join('\n')}\n`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('clvlens report on hostile CSV files (fuzz)', () => {
  it(`ends ${FILES} generated hostile exports with a report or a clear input error, never an internal error`, async () => {
    const cases = fc.sample(fc.tuple(mutation, fc.integer({ min: 0, max: 40 }), fc.nat()), { numRuns: FILES, seed: 1313 });
    const exits = new Map<number, number>();
    const internal: string[] = [];
    const started = Date.now();
    for (const [n, [kind, rows, at]] of cases.entries()) {
      const path = join(files.dir, `hostile-${n}.csv`);
      writeFileSync(path, hostileFile(kind, rows, at));
      const io = captureIo(files.dir);
      const code = await runCli(['report', path, '--json'], io);
      exits.set(code, (exits.get(code) ?? 0) + 1);
      if (code !== 0 && code !== 3) internal.push(`${kind} (${rows} rows): exit ${code}: ${io.err().slice(0, 300)}`);
    }
    console.log(
      `hostile CSV: ${JSON.stringify({ files: FILES, seconds: Math.round((Date.now() - started) / 100) / 10, byExit: Object.fromEntries([...exits].sort()) })}`,
    );
    expect(internal.slice(0, 5)).toEqual([]);
  }, 240_000);
});
