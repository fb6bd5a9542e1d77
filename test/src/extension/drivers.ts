/**
 * One small driving interface over the two browsers the extension is tested in: Debian's Chromium through
 * playwright-core (CDP) and Debian's firefox-esr through puppeteer-core (WebDriver BiDi), so the same tests run in
 * both. Each launch loads the built extension and sends `https://admin.shopify.com` to a local fixture server.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureExtensionBuilt, launchWithExtension } from './browser.ts';
import { serveConnectProxy } from './servers.ts';

export const FIREFOX_EXTENSION_DIR = fileURLToPath(new URL('../../../extension/.output/firefox-mv3', import.meta.url));
export const FIREFOX = process.env.CLVLENS_FIREFOX ?? '/usr/bin/firefox-esr';
/** The gecko id of the Firefox build (wxt.config.ts) and the internal UUID pinned for it, so extension URLs are known. */
const GECKO_ID = 'clvlens@clvlens.example';
const FIREFOX_UUID = '6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f';

export interface DrivenPage {
  goto(url: string): Promise<void>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  clickAt(x: number, y: number): Promise<void>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface DrivenBrowser {
  name: 'Chromium' | 'Firefox';
  newPage(): Promise<DrivenPage>;
  /** An extension page (`popup.html`, `options.html`) in a tab. */
  extensionPage(path: string): Promise<DrivenPage>;
  close(): Promise<void>;
}

export type Launcher = (adminPort: number) => Promise<DrivenBrowser>;

function wrapPlaywright(page: Page): DrivenPage {
  return {
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    clickAt: (x, y) => page.mouse.click(x, y),
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    close: () => page.close(),
  };
}

export const launchChromium: Launcher = async (adminPort) => {
  const browser = await launchWithExtension({ adminPort });
  return {
    name: 'Chromium',
    newPage: async () => wrapPlaywright(await browser.context.newPage()),
    async extensionPage(path) {
      const page = await browser.context.newPage();
      await page.goto(`chrome-extension://${browser.extensionId}/${path}`);
      return wrapPlaywright(page);
    },
    close: () => browser.close(),
  };
};

export const firefoxAvailable = () => existsSync(FIREFOX);

export const launchFirefox: Launcher = async (adminPort) => {
  ensureExtensionBuilt();
  const { default: puppeteer } = await import('puppeteer-core');
  const proxy = await serveConnectProxy(adminPort);
  const profile = mkdtempSync(join(tmpdir(), 'clvlens-firefox-'));
  const cleanup = async () => {
    await proxy.close();
    rmSync(profile, { recursive: true, force: true });
  };
  let browser: Awaited<ReturnType<typeof puppeteer.launch>>;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      acceptInsecureCerts: true,
      userDataDir: profile,
      defaultViewport: { width: 1100, height: 700 },
      // Lets WebDriver BiDi open moz-extension:// pages (popup and options) in a tab.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        'network.proxy.type': 1,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': proxy.port,
        'network.proxy.allow_hijacking_localhost': false,
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      },
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  try {
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  } catch (error) {
    await browser.close();
    await cleanup();
    throw error;
  }
  type PPage = Awaited<ReturnType<typeof browser.newPage>>;
  const wrap = (page: PPage): DrivenPage => ({
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    clickAt: (x, y) => page.mouse.click(x, y),
    screenshot: async (path) => void (await page.screenshot({ path: path as `${string}.png`, fullPage: true })),
    close: () => page.close(),
  });
  return {
    name: 'Firefox',
    newPage: async () => wrap(await browser.newPage()),
    async extensionPage(path) {
      const page = await browser.newPage();
      const url = `moz-extension://${FIREFOX_UUID}/${path}`;
      // BiDi reports no load event for extension pages: start the navigation and wait for the document instead.
      void page.goto(url).catch(() => undefined);
      const until = Date.now() + 15_000;
      for (;;) {
        const ready = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => '');
        if (ready === `${url} complete`) break;
        if (Date.now() > until) throw new Error(`${url} did not load (last: ${ready})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return wrap(page);
    },
    async close() {
      await browser.close().catch(() => undefined);
      await cleanup();
    },
  };
};
