// The `clvlens report --html` page in a real browser: its script runs without errors, draws the four charts and the
// tables, and text from the data (a file name or e-mail written as markup) ends up as text, never as elements.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@clvlens/cli';
import { afterAll, describe, expect, it } from 'vitest';

const chromium = process.env['CLVLENS_CHROMIUM'] ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'clvlens-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const evil = '<img src=x onerror=alert(1)>';

describe('clvlens report --html in Chromium', () => {
  it('renders every section and chart, with markup from data shown as text', async () => {
    const rows = [
      'customer_id,date,amount,order_id',
      ...Array.from({ length: 60 }, (_, i) => `${i % 2 === 0 ? evil : `c${i % 7}`},2025-0${1 + (i % 9)}-1${i % 10},${10 + i}.50,o${i}`),
    ];
    writeFileSync(join(dir, `${evil}.csv`), `${rows.join('\n')}\n`);
    let err = '';
    const code = await runCli(['report', `${evil}.csv`, '--html', 'report.html'], {
      stdout: { write: () => {} },
      stderr: { write: (text: string) => (err += text) },
      stderrIsTTY: false,
      cwd: dir,
    });
    expect(code, err).toBe(0);
    const dom = execFileSync(
      chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=5000', '--dump-dom', `file://${join(dir, 'report.html')}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 },
    );
    const headings = [...dom.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      'Weekly repeat purchase rate',
      'Churn at 30, 60 and 90 days, weekly',
      'Cohorts: share ordering again',
      'Cumulative revenue per customer (LTV curves)',
      'Scorecard',
      'RFM segments',
    ]);
    // Legends are readable before any hover: the latest values, never a "--" placeholder; each chart says which week.
    const legendValues = [...dom.matchAll(/<strong data-testid="legend-[^"]*">([^<]*)<\/strong>/g)].map((m) => m[1]);
    expect(legendValues.length).toBeGreaterThan(4);
    expect(legendValues.filter((v) => v === '--' || v === '' || v === '—')).toEqual([]);
    expect((dom.match(/data-testid="chart-readout"/g) ?? []).length).toBe(3);
    // Three uPlot charts (one canvas each) and the heatmap canvas.
    expect((dom.match(/<canvas/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(dom).toContain('class="uplot');
    expect(dom).not.toContain('<img');
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
  });

  it('lays the Arabic page out right to left, in Arabic, with at most six LTV curves (screenshots in test-results/cli/)', async () => {
    const rows = ['customer_id,date,amount'];
    for (let i = 0; i < 400; i++)
      rows.push(
        `c${i % 90},${2023 + Math.floor(i / 200)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')},${10 + (i % 40)}.00`,
      );
    writeFileSync(join(dir, 'long.csv'), `${rows.join('\n')}\n`);
    const shots = fileURLToPath(new URL('../../../test-results/cli', import.meta.url));
    mkdirSync(shots, { recursive: true });
    for (const lang of ['en', 'ko', 'ar'] as const) {
      const code = await runCli(['report', 'long.csv', '--lang', lang, '--html', `long-${lang}.html`], {
        stdout: { write: () => {} },
        stderr: { write: () => {} },
        stderrIsTTY: false,
        cwd: dir,
      });
      expect(code).toBe(0);
      const page = `file://${join(dir, `long-${lang}.html`)}`;
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=5000'];
      const dom = execFileSync(chromium, [...flags, '--dump-dom', page], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      execFileSync(chromium, [...flags, '--window-size=1100,2400', `--screenshot=${join(shots, `report-${lang}.png`)}`, page], {
        stdio: 'ignore',
        timeout: 60_000,
      });
      expect(dom).toContain(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`);
      // 24 monthly cohorts, 6 drawn: the LTV legend has 6 lines.
      const legendStart = dom.lastIndexOf('<ul class="chart-legend"');
      const ltvLegend = dom.slice(legendStart, dom.indexOf('</ul>', legendStart));
      expect((ltvLegend.match(/<li /g) ?? []).length).toBe(6);
      if (lang === 'ar') expect(dom).toContain('<h2>معدل تكرار الشراء أسبوعيًا</h2>');
      if (lang === 'ko') expect(dom).toContain('<h2>주간 재구매율</h2>');
    }
  });
});
