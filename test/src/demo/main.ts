/**
 * `pnpm start` (root) -> `pnpm --filter @clvlens/test run demo`.
 *
 * With SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SHOPIFY_APP_URL set: runs the app for real shops (the app's own
 * server entry, `shopify-app/src/server.ts`; DATABASE_URL optional). Without them: the offline demo (`startDemo`),
 * until Ctrl-C. Flags: `--open` launches Chromium with the extension on the demo admin pages (needs a display),
 * `--reset` deletes the demo data first, `--customers=N` sizes a new demo shop.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, relative } from 'node:path';
import { ensureExtensionBuilt } from '../extension/browser.ts';
import { DEFAULT_DATA_DIR, startDemo, type Demo, type DemoProgress } from './start-demo.ts';

const env = process.env;
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const out = process.stdout;
const tty = out.isTTY === true;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[22m` : s);

const realShopifyVars = ['SHOPIFY_API_KEY', 'SHOPIFY_API_SECRET', 'SHOPIFY_APP_URL'] as const;
const present = realShopifyVars.filter((v) => (env[v] ?? '') !== '');
if (present.length === realShopifyVars.length) {
  out.write(`SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SHOPIFY_APP_URL are set: running the app for real shops at ${env['SHOPIFY_APP_URL']}\n`);
  out.write(
    `(database: ${env['DATABASE_URL'] ? 'PostgreSQL from DATABASE_URL' : `embedded, ${env['CLVLENS_DATA_DIR'] || './data/pglite'}`}; see shopify-app/README.md)\n`,
  );
  await import('../../../shopify-app/src/server.ts');
} else if (present.length > 0) {
  const missing = realShopifyVars.filter((v) => !present.includes(v));
  process.stderr.write(
    `${present.join(', ')} set but ${missing.join(', ')} missing: set all three to run the app for a real shop, or none for the offline demo.\n`,
  );
  process.exit(2);
} else {
  await runDemo();
}

async function runDemo(): Promise<void> {
  const dataDir = env['CLVLENS_DEMO_DATA_DIR'] || DEFAULT_DATA_DIR;
  if (flag('reset')) {
    rmSync(join(dataDir, 'demo'), { recursive: true, force: true });
    rmSync(join(dataDir, 'pglite'), { recursive: true, force: true });
    out.write(`Deleted the demo data in ${dataDir}\n`);
  }
  const customersText = value('customers') ?? env['CLVLENS_DEMO_CUSTOMERS'];
  const customers = customersText === undefined ? undefined : Number(customersText);
  if (customers !== undefined && !(Number.isInteger(customers) && customers >= 10 && customers <= 1_000_000)) {
    process.stderr.write(`--customers must be an integer from 10 to 1,000,000 (got ${customersText})\n`);
    process.exit(2);
  }

  out.write(`${bold('CLV Lens offline demo')} ${dim('(no Shopify account needed; Ctrl-C stops it, `pnpm start` again resumes)')}\n`);
  out.write('Checking the browser extension build…\n');
  let extensionDir: string | undefined;
  try {
    extensionDir = ensureExtensionBuilt();
  } catch (error) {
    process.stderr.write(
      `Could not build the extension (${(error as Error).message.split('\n')[0]}); run \`pnpm --filter @clvlens/extension run build\`. The demo starts without it.\n`,
    );
  }

  let lastBar = '';
  const progress = (p: DemoProgress) => {
    const line = renderProgress(p);
    if (tty) {
      out.write(`\r${line}\x1b[K`);
    } else if (line.slice(0, 32) !== lastBar.slice(0, 32)) {
      out.write(`${line}\n`);
    }
    lastBar = line;
  };
  let demo: Demo | null = null;
  let starting: Promise<Demo> | null = null;
  const abort = new AbortController();
  let stopping = false;
  let firstSignalMs = 0;
  const stop = async (signal: string) => {
    if (stopping) {
      // Ctrl-C reaches every process of the terminal's group, and pnpm then passes a SIGTERM on to its child: only
      // a second Ctrl-C pressed later means "now".
      if (signal === 'Ctrl-C' && Date.now() - firstSignalMs > 1500) {
        out.write('\nStopping anyway (the next start repairs the database lock).\n');
        process.exit(130);
      }
      return;
    }
    stopping = true;
    firstSignalMs = Date.now();
    setTimeout(() => {
      process.stderr.write('\nStopping took more than 60 s; exiting anyway.\n');
      process.exit(1);
    }, 60_000).unref();
    out.write(
      `\n${signal}: stopping live orders, the admin pages, the app (a running recompute may take a few seconds; then the database lock is released) and the fake Shopify…\n`,
    );
    if (demo === null && starting !== null) {
      // Still starting: abort, and startDemo stops what it had started (the database closes cleanly); if it had just
      // finished, stop the demo it returned.
      abort.abort();
      await (await starting.catch(() => null))?.stop();
    } else {
      await demo?.stop();
    }
    out.write(`Stopped. Data kept in ${dataDir}; \`pnpm start\` resumes from it (\`pnpm start --reset\` starts over).\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  const live = { created: 0, changed: 0 };
  try {
    starting = startDemo({
      signal: abort.signal,
      dataDir,
      ...(extensionDir !== undefined ? { extensionDir } : {}),
      ...(customers !== undefined ? { customers } : {}),
      ...(env['CLVLENS_EXTENSION_ORIGINS']
        ? {
            extraExtensionOrigins: env['CLVLENS_EXTENSION_ORIGINS']
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          }
        : {}),
      onStep: (message) => {
        if (tty && lastBar !== '') out.write('\n');
        lastBar = '';
        out.write(`• ${message}\n`);
      },
      onProgress: progress,
      onLiveAction: (a) => {
        if (a.kind === 'order-created') live.created++;
        else live.changed++;
        if (tty)
          out.write(
            `\r${dim(`live: ${live.created} new orders, ${live.changed} changes since start (last: ${a.kind.replace('order-', 'order ')} ${a.orderId})`)}\x1b[K`,
          );
        else if ((live.created + live.changed) % 20 === 0) out.write(`live: ${live.created} new orders, ${live.changed} changes since start\n`);
      },
    });
    demo = await starting;
  } catch (error) {
    if (stopping) return;
    out.write('\n');
    const e = error as Error & { code?: string };
    if (e.code === 'data-dir-locked') process.stderr.write(`${e.message}\nIs another \`pnpm start\` running?\n`);
    else process.stderr.write(`The demo could not start: ${e.stack ?? e.message}\n`);
    process.exit(1);
  }
  if (stopping) return;
  printReady(demo, dataDir);

  if (flag('open')) openChromium(demo);
  watchNumbers(demo);
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, terminal: false });
    rl.on('line', () => {
      void demo?.newPairingCode().then((c) => out.write(`\nNew pairing code: ${bold(c.code)} (valid until ${new Date(c.expiresAtMs).toLocaleTimeString()})\n`));
    });
  }
}

/** Once a minute, the shop's numbers as the app computes them, when they changed: live orders move them. */
function watchNumbers(demo: Demo): void {
  let last = '';
  const timer = setInterval(() => {
    fetch(`${demo.appUrl}/app/api/summary`, { headers: { authorization: `Bearer ${demo.sessionToken()}` } })
      .then(async (res) => {
        if (res.status !== 200) return;
        const s = (await res.json()) as Demo['summary'];
        const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
        const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: s.currency }).format(s.averageClvMinor / 100);
        const line = `${s.sync.ordersDone.toLocaleString('en-US')} orders, ${s.customers.toLocaleString('en-US')} customers · repeat rate ${pct(s.repeatPurchaseRate.value)} · average CLV ${money} · churn 30/60/90 ${pct(s.churn.d30)} / ${pct(s.churn.d60)} / ${pct(s.churn.d90)}`;
        if (line === last) return;
        last = line;
        out.write(`${tty ? '\r\x1b[K' : ''}${new Date().toLocaleTimeString()} ${line}\n`);
      })
      .catch(() => undefined);
  }, 60_000);
  timer.unref();
}

function renderProgress(p: DemoProgress): string {
  const width = 30;
  const total = p.ordersEstimated ?? 0;
  const frac = total > 0 ? Math.min(1, p.ordersDone / total) : p.state === 'live' ? 1 : 0;
  const filled = Math.round(frac * width);
  const counts =
    total > 0 ? `${p.ordersDone.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} orders` : `${p.ordersDone.toLocaleString('en-US')} orders`;
  const label = p.state === 'live' ? 'computing metrics' : p.state === 'backfilling' ? 'backfill' : p.state;
  return `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${counts} · ${label} · ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function chromiumBinary(): string | null {
  for (const candidate of [env['CLVLENS_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

function printReady(demo: Demo, dataDir: string): void {
  const s = demo.summary;
  const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
  const money = (minor: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: s.currency }).format(minor / 100);
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === '' || r.startsWith('..') ? p : r;
  };
  const cmd = [chromiumBinary() ?? 'chromium', ...demo.chromiumArgs().slice(0, -1), demo.adminCustomersUrl, demo.dashboardUrl].map(shellQuote).join(' ');
  out.write(`
${bold(`CLV Lens is running on ${demo.shopDomain}`)} (${demo.ordersAtStart.toLocaleString('en-US')} orders, ${s.customers.toLocaleString('en-US')} customers; repeat rate ${pct(s.repeatPurchaseRate.value)}, average CLV ${money(s.averageClvMinor)}, churn 30/60/90 ${pct(s.churn.d30)} / ${pct(s.churn.d60)} / ${pct(s.churn.d90)})

${bold('1. Dashboard')} (the embedded app, inside the demo admin):
     ${demo.dashboardUrl}
   The app itself listens on ${demo.appUrl} (opened directly, outside the admin, it explains where to open it).

${bold('2. Browser extension')}: load this folder as an unpacked extension (chrome://extensions, Developer mode, "Load unpacked"):
     ${demo.extensionDir}
   The command below loads it for you.

${bold('3. Pairing code')}: ${bold(demo.pairingCode.code)}  (valid 10 minutes, once; press Enter here for a new one, or use the dashboard)
   In the extension's options: app URL ${demo.appUrl}, then this code.

${bold('4. Demo admin pages')} (customers and orders on the admin's URLs, served by this demo on 127.0.0.1:${demo.admin.port}).
   The real admin host cannot be served offline, so open them in a Chromium that maps admin.shopify.com to this demo:
     ${cmd}
   (${dim('or `pnpm start --open` next time; it runs this for you when a display is available')})
   Ctrl-C here stops everything; \`pnpm start\` again resumes from ${rel(dataDir)}.

`);
  if (demo.resumed) out.write(`${dim(`Resumed from stored data: no second backfill (${demo.replay.applied} live changes replayed into the shop).`)}\n`);
  out.write(`${dim('New orders arrive in the demo shop while it runs; the numbers move.')}\n`);
}

function openChromium(demo: Demo): void {
  const bin = chromiumBinary();
  const hasDisplay = process.platform === 'darwin' || Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
  if (bin === null || !hasDisplay) {
    out.write(
      `--open: ${bin === null ? 'no Chromium found (set CLVLENS_CHROMIUM to its path)' : 'no display (DISPLAY/WAYLAND_DISPLAY unset)'}; run the command above on a machine with a display.\n`,
    );
    return;
  }
  const argv = [...demo.chromiumArgs().slice(0, -1), demo.adminCustomersUrl, demo.dashboardUrl];
  const child = spawn(bin, argv, { stdio: 'ignore', detached: true });
  child.on('error', (e) => out.write(`--open: could not start ${bin}: ${e.message}\n`));
  child.unref();
  out.write(`Opened ${bin} with the extension and the demo admin pages.\n`);
}
