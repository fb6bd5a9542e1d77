import type { Locale } from '@clvlens/core/i18n';
import type { UPlotConstructor } from '@clvlens/ui';

/** What the dashboard needs from its surroundings (the browser, or a test). */
export interface DashboardDeps {
  /** GET/POST/PUT a JSON path of the app with the session token (`body` sent as JSON); resolves with the HTTP status and parsed body. */
  request(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  /** uPlot's constructor (a recording stand-in in tests); default: the bundled uPlot. */
  uPlot?: UPlotConstructor;
  /** App Bridge toast. */
  toast?(message: string): void;
  /** App Bridge's loading indicator in the admin, on during the first load. */
  loading?(on: boolean): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** The admin's language (Shopify's `locale`). Default: the page's `<html lang>`, else English. */
  locale?: Locale;
  /** The app's own origin, for the pairing link (`https://app.example.com`). Default: the page's origin. */
  appOrigin?: string;
  /** GETs a file of the app with the session token (the customer export); without it the export button does nothing. */
  download?(path: string): Promise<{ status: number; blob: Blob | null; body: unknown }>;
  /** Hands a downloaded file to the browser to save. */
  save?(blob: Blob, fileName: string): void;
}
