import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeShopReport, endOfLocalDateMs } from '@clvlens/core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { readOrdersFile } from '../readers/detect.ts';
import { captureIo, noProgress, shopifyRow, SHOPIFY_HEADER, tempDir } from '../testing/temp-files.ts';

const files = tempDir();
const fixture = join(import.meta.dirname, '../../fixtures/hand-made-orders-export.csv');

async function run(args: string[]) {
  const io = captureIo(files.dir);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('clvlens report --json', () => {
  it('prints the issue-2 top-level keys with the numbers core computes from the same orders', async () => {
    const { code, out, err } = await run(['report', fixture, '--json', '--timezone', 'America/New_York', '--as-of', '2025-10-31', '--margin', '0.4']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    for (const key of ['asOf', 'currency', 'orders', 'customers', 'repeatPurchaseRate', 'returningCustomerRate', 'averageOrderValueMinor', 'churn']) {
      expect(doc).toHaveProperty(key);
    }
    const asOfMs = endOfLocalDateMs('2025-10-31', 'America/New_York');
    expect(doc.asOf).toBe(new Date(asOfMs).toISOString());
    expect(doc.asOf).toBe('2025-11-01T03:59:59.999Z');
    const read = await readOrdersFile(fixture, 'sample', { timeZone: 'America/New_York', currency: null, skipInvalid: false, progress: noProgress });
    const expected = JSON.parse(JSON.stringify(computeShopReport(read.orders, { asOfMs, timeZone: 'America/New_York', currency: 'USD', marginFraction: 0.4 })));
    const { input, ...rest } = doc;
    expect(rest).toEqual(expected);
    expect(input).toMatchObject({ format: 'shopify-orders-export', dataRows: 39, ordersRead: 34, skippedByReason: {}, asOfSource: 'option' });
    // The fixture's hand-made cases (core/cli/README.md): one test, one cancelled, one fully refunded, one guest without email.
    expect(doc.currency).toBe('USD');
    expect(doc.orders).toMatchObject({ counted: 31, unattributed: 1, skippedByReason: { test: 1, cancelled: 1, refunded: 1 } });
    expect(doc.customers).toBe(10);
    expect(doc.repeatPurchaseRate.windowDays).toBe(365);
    for (const rate of [doc.repeatPurchaseRate.value, doc.returningCustomerRate, doc.churn.d30, doc.churn.d60, doc.churn.d90]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    expect(doc.marginFraction).toBe(0.4);
    expect(doc.mrr.current.subscribers).toBe(1);
  });

  it('defaults as-of to the end of the last order day and honours --window-days', async () => {
    const { code, out, err } = await run(['report', fixture, '--json', '--window-days', '90']);
    expect(code).toBe(0);
    // The export's times are at -0500/-0400/-0300 while days are taken in UTC: the user is told, on stderr only.
    expect(err).toBe(
      'clvlens: note: ' +
        fixture +
        ' has times at UTC offset -0300, -0400, -0500 but days, weeks and months are taken in UTC; pass --timezone Area/City (the shop time zone) to match Shopify.\n',
    );
    const doc = JSON.parse(out);
    expect(doc.asOf).toBe('2025-10-30T23:59:59.999Z');
    expect(doc.input.asOfSource).toBe('last-order-day');
    expect(doc.repeatPurchaseRate.windowDays).toBe(90);
  });

  it('adds reader skips to orders.skippedByReason', async () => {
    const path = files.write('dupes.csv', 'customer_id,date,amount,order_id\n1,2025-01-01,10,A\n1,2025-01-01,10,A\n1,2025-03-01,0,B\n2,2025-02-30,5,C\n');
    const { code, out } = await run(['report', path, '--json', '--skip-invalid']);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.orders.skippedByReason).toEqual({ test: 0, cancelled: 0, refunded: 0, 'duplicate-order': 1, 'invalid-date': 1 });
    expect(doc.input.skippedByReason).toEqual({ 'duplicate-order': 1, 'invalid-date': 1 });
    // The $0 order B is a purchase (a free order counts in every format), so customer 1 has two counted orders.
    expect(doc.orders.counted).toBe(2);
  });

  it('feeds --surveys to NPS and CSAT and --spend to LTV:CAC', async () => {
    const surveys = files.write(
      'surveys.csv',
      `type,score,comment\n${[...Array(7).fill('nps,10'), 'nps,8', 'nps,8', 'nps,3', 'csat,5', 'csat,4', 'csat,4', 'csat,4', 'csat,2'].map((r) => `${r},ok`).join('\n')}\n`,
    );
    const spend = files.write('spend.csv', 'month,amount\n2024-11,100.00\n2024-12,50\n');
    const { code, out } = await run(['report', fixture, '--json', '--surveys', surveys, '--spend', spend]);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.surveys.nps).toMatchObject({ value: 60, responses: 10 });
    expect(doc.surveys.csat).toMatchObject({ value: 0.8, responses: 5 });
    const nov = doc.ltvCac.find((c: { cohortMonth: string }) => c.cohortMonth === '2024-11');
    expect(nov).toMatchObject({ newCustomers: 2, spendMinor: 10000, cacMinor: 5000 });
  });
});

describe('clvlens report --progress', () => {
  it('draws reading progress on stderr only when asked (or when stderr is a terminal)', async () => {
    const quiet = await run(['report', fixture, '--json', '--timezone', 'America/New_York']);
    expect(quiet.err).toBe('');
    const loud = await run(['report', fixture, '--json', '--timezone', 'America/New_York', '--progress']);
    expect(loud.code).toBe(0);
    expect(loud.err).toMatch(/\rreading .*hand-made-orders-export\.csv: 100% of 12\.4 kB, 39 rows, [\d.]+ s\n$/);
    expect(loud.out).toBe(quiet.out);
  });
});

describe('clvlens report (scorecard text)', () => {
  it('prints the headline metrics readable, with the reconciliation note', async () => {
    const { code, out } = await run(['report', fixture, '--margin', '0.4']);
    expect(code).toBe(0);
    expect(out).toMatch(/Repeat purchase rate \(365 days\)\s+60\.0%/);
    expect(out).toContain('Shopify counts a customer as returning when they have two or more orders ever');
    expect(out).toMatch(/Orders: 31 counted orders \(1 without a customer or e-mail\)/);
    expect(out).toMatch(/Scorecard: this week against the 12-week baseline/);
    expect(out).not.toContain('LTV:CAC');
  });

  it('names every metric and segment in words, with plurals, and explains its terms (issue 12)', async () => {
    const { out } = await run(['report', fixture, '--lang', 'en']);
    // Human names, never code names.
    expect(out).not.toMatch(/repeatPurchaseRate|churnD90|averageOrderValue|NEEDS_ATTENTION|AT_RISK|skipped: \{/);
    expect(out).toMatch(/^  Windowed CLV\s+\$\d/m);
    expect(out).toMatch(/^  Churned \(no order for more than 90 days\)\s/m);
    expect(out).toContain('Needs attention: 1');
    expect(out).toContain('Not counted: test orders: 1, cancelled orders: 1, and orders refunded in full: 1.');
    // Plurals: "after 1 month", never "after 1 months".
    expect(out).not.toMatch(/\b1 months\b/);
    expect(out).toMatch(/after 0 months/);
    // Terms explained, not abbreviated.
    expect(out).not.toMatch(/\(CE - CN\) \/ CS|backtest r =|\(CRR\)\s/);
    expect(out).toContain('Also called customer churn rate (CRR)');
    expect(out).toContain('(8 active at the end − 2 new) ÷ 7 active at the start');
    // 0 weeks into the program: not "On track".
    expect(out).toContain('Just started: too early to judge');
    expect(out).not.toContain('On track');
    // The running month is marked, not read as a collapse.
    expect(out).toMatch(/0\.0%\*/);
    expect(out).toContain('the current month, to Oct 30, 2025');
  });

  it('speaks Korean and Arabic with --lang, and takes the default from LC_ALL, LC_MESSAGES or LANG', async () => {
    const ko = await run(['report', fixture, '--lang', 'ko']);
    expect(ko.out).toContain('재구매율(365일)');
    expect(ko.out).toContain('기간 CLV');
    expect(ko.out).toContain('관심 필요 1명');
    const ar = await run(['report', fixture, '--lang', 'ar']);
    expect(ar.out).toContain('معدل تكرار الشراء (365 يومًا)');
    expect(ar.out).toContain('قيمة العميل للفترة (CLV)');
    const io = { ...captureIo(files.dir), env: { LANG: 'ko_KR.UTF-8' } };
    expect(await runCli(['report', fixture], io)).toBe(0);
    expect(io.out()).toContain('CLV Lens 보고서');
    expect((await run(['report', fixture, '--lang', 'fr'])).code).toBe(2);
  });
});

describe('clvlens report: input text (issue 12)', () => {
  const latin1 = Buffer.from('customer_id,date,amount\nJos\u00e9,2025-01-02,10.00\nJos\u00e8,2025-01-03,12.00\n', 'latin1');

  it('stops on invalid UTF-8 with the line, byte and column, and the option that reads it', async () => {
    files.write('latin1.csv', latin1);
    const { code, err } = await run(['report', 'latin1.csv']);
    expect(code).toBe(3);
    expect(err).toContain('latin1.csv:2: this line is not valid UTF-8 (byte 0xE9 at column 4)');
    expect(err).toContain('--encoding latin1');
  });

  it('reads Latin-1 with --encoding latin1: José and Josè stay two customers', async () => {
    files.write('latin1-ok.csv', latin1);
    const { code, out } = await run(['report', 'latin1-ok.csv', '--encoding', 'latin1', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).customers).toBe(2);
  });

  it('names the line of invalid UTF-8 deep in a file read in chunks', async () => {
    const lines = ['customer_id,date,amount'];
    for (let i = 0; i < 40_000; i++) lines.push(`c${i},2025-01-02,10.00`);
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from([0x63, 0xff, 0x2c]), Buffer.from('2025-01-03,1.00\n')]);
    files.write('deep.csv', bytes);
    const { code, err } = await run(['report', 'deep.csv']);
    expect(code).toBe(3);
    expect(err).toContain('deep.csv:40002: this line is not valid UTF-8 (byte 0xFF at column 2)');
  });

  it('says an empty file is empty and what to put in it', async () => {
    files.write('empty-file.csv', '');
    const { code, err } = await run(['report', 'empty-file.csv']);
    expect(code).toBe(3);
    expect(err).toContain('empty-file.csv is empty: export your orders from Shopify');
    expect(err).not.toContain('matches no input format');
  });
});

describe('clvlens report --html', () => {
  it('writes one self-contained page whose embedded data holds the charts, and no markup from data', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const header = SHOPIFY_HEADER;
    const rows = [
      { Name: '#1', Email: evil, Currency: 'USD', Total: '10.00', 'Created at': '2025-01-01 10:00:00 +0000', Tags: evil },
      { Name: '#2', Email: evil, Currency: 'USD', Total: '12.00', 'Created at': '2025-02-01 10:00:00 +0000' },
      { Name: '#3', Email: 'b@example.com', Currency: 'USD', Total: '8.00', 'Created at': '2025-02-03 10:00:00 +0000' },
    ];
    files.write(`${evil}.csv`, [header, ...rows.map((r) => shopifyRow(r, header))].join('\n'));
    // Relative names resolve against the CliIo's cwd.
    const input = `${evil}.csv`;
    const htmlPath = join(files.dir, 'report.html');
    const { code, err } = await run(['report', input, '--html', 'report.html']);
    expect(code).toBe(0);
    expect(err).toContain('wrote');
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[a-z0-9.-]+\/[^"']*\.(js|css)/i);
    const match = /<script type="application\/json" id="clvlens-data">([^<]*)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    const payload = JSON.parse(match?.[1] ?? '');
    // The file name made it into the data as text, escaped in the HTML source.
    expect(payload.report.input.file).toBe(`${evil}.csv`);
    const json = JSON.parse((await run(['report', input, '--json'])).out);
    expect(payload.report.charts).toEqual(json.charts);
    expect(Object.keys(payload.report.charts)).toEqual(expect.arrayContaining(['repeatRate', 'churnTrend', 'cohortHeatmap', 'ltvCurves']));
    expect(payload.report.charts.cohortHeatmap.cohortMonth).toEqual(['2025-01', '2025-02']);
    expect(html).toContain('ClvlensCharts');
    expect(html).toContain('Weekly repeat purchase rate');
    expect(html).toContain('<html lang="en" dir="ltr">');
  });

  it('localizes the page: lang and dir attributes, right to left in Arabic, texts from the catalog', async () => {
    const { code } = await run(['report', fixture, '--lang', 'ar', '--html', 'report-ar.html']);
    expect(code).toBe(0);
    const html = readFileSync(join(files.dir, 'report-ar.html'), 'utf8');
    expect(html).toContain('<html lang="ar" dir="rtl">');
    const payload = JSON.parse(/<script type="application\/json" id="clvlens-data">([^<]*)<\/script>/.exec(html)![1]!);
    expect(payload.view.locale).toBe('ar');
    expect(payload.view.text.repeatChart).toBe('معدل تكرار الشراء أسبوعيًا');
    // The header says the date in words, not a raw ISO timestamp.
    expect(payload.view.text.meta).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });
});

describe('clvlens exit codes', () => {
  it('returns 0 for help, 2 for usage errors, 3 for bad input, 4 when the output cannot be written', async () => {
    expect((await run(['report', '--help'])).code).toBe(0);
    expect((await run([])).code).toBe(2);
    const unknown = await run(['forecast', fixture]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "forecast"');
    expect((await run(['report'])).code).toBe(2);
    expect((await run(['report', fixture, '--as-of', '2025-02-30'])).code).toBe(2);
    expect((await run(['report', fixture, '--timezone', 'Mars/Olympus'])).code).toBe(2);
    expect((await run(['report', fixture, '--margin', '40'])).code).toBe(2);
    expect((await run(['report', fixture, '--bogus'])).code).toBe(2);

    const missing = await run(['report', 'no-such-file.csv']);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain('cannot read no-such-file.csv: no such file');
    const bad = files.write('bad-date.csv', 'customer_id,date,amount\n1,2025-01-01,1\n2,01/02/2025,1\n');
    const badRun = await run(['report', bad, '--json']);
    expect(badRun.code).toBe(3);
    expect(badRun.out).toBe('');
    expect(badRun.err).toMatch(/bad-date\.csv:3:2 \(field "date"\): "01\/02\/2025" is not a date/);
    const empty = files.write('empty.csv', 'customer_id,date,amount\n');
    expect((await run(['report', empty])).code).toBe(3);

    expect((await run(['report', fixture, '--html', join(files.dir, 'no-dir', 'x.html')])).code).toBe(4);
  });
});
