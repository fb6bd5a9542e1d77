// The `clvlens report --html` page in a real browser: its script runs without errors, draws the four charts and the
// tables, and text from the data (a file name or e-mail written as markup) ends up as text, never as elements.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(headings).toEqual(['Weekly repeat purchase rate', 'Churn 30/60/90 trend', 'Cohort heatmap', 'Cumulative LTV curves', 'Scorecard', 'RFM segments']);
    // Three uPlot charts (one canvas each) and the heatmap canvas.
    expect((dom.match(/<canvas/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(dom).toContain('class="uplot');
    expect(dom).not.toContain('<img');
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
  });
});
