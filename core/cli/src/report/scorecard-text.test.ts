import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { captureIo, tempDir } from '../testing/temp-files.ts';
import { width } from '../text-columns.ts';

const fixture = join(import.meta.dirname, '../../fixtures/sample-orders-export.csv');
const files = tempDir();

async function report(lang: string): Promise<string> {
  const surveys = files.write('surveys.csv', 'type,score\nnps,10\nnps,3\ncsat,5\n');
  const spend = files.write('spend.csv', 'month,amount\n2024-11,100.00\n2024-12,50\n');
  const io = captureIo(files.dir);
  expect(await runCli(['report', fixture, '--lang', lang, '--timezone', 'America/New_York', '--surveys', surveys, '--spend', spend], io)).toBe(0);
  return io.out();
}

/** The lines of the section whose title starts with `title`, up to the next blank line. */
function section(text: string, title: RegExp): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => title.test(l));
  expect(at).toBeGreaterThan(0);
  const end = lines.indexOf('', at);
  return lines.slice(at + 1, end === -1 ? undefined : end);
}

describe('the scorecard in Korean and Arabic keeps its columns in line', () => {
  for (const lang of ['en', 'ko', 'ar']) {
    it(`${lang}: every metric's value starts at one column, and every table's last column at one column`, async () => {
      const text = await report(lang);
      // Metric rows: two spaces, the name, the value; the value column starts where the English one does or later.
      const rows = text.split('\n').filter((l) => /^ {2}\S/.test(l) && / {2,}\S/.test(l.slice(2)));
      expect(rows.length).toBeGreaterThan(20);
      // Tables: the last column (payback, status) follows two spaces after the padded columns, so the text before
      // those two spaces has one display width in every row of a table, header included.
      const titles = lang === 'en' ? [/^LTV:CAC/, /^Scorecard/] : lang === 'ko' ? [/LTV:CAC/, /^스코어카드/] : [/^LTV:CAC/, /^بطاقة الأداء/];
      for (const title of titles) {
        const table = section(text, title).filter((l) => l.startsWith('  ') && !l.startsWith('    '));
        expect(table.length).toBeGreaterThan(2);
        const before = new Set(table.map((l) => width(l.slice(0, l.lastIndexOf('  ')))));
        expect([...before]).toHaveLength(1);
      }
      // The retention section's rows put their values (percentages, days) at one column: the widest name decides it.
      const retention = section(text, lang === 'en' ? /^Retention/ : lang === 'ko' ? /^유지$/ : /^الاحتفاظ$/).filter((l) => /^ {2}\S/.test(l));
      const value = /\d+\.\d(?:\u200e?%|일| d\b| ي)/;
      const valueStarts = new Set(retention.filter((l) => value.test(l)).map((l) => width(l.slice(0, l.search(value)))));
      expect(retention.filter((l) => value.test(l)).length).toBeGreaterThan(10);
      expect([...valueStarts]).toHaveLength(1);
    });
  }
});
