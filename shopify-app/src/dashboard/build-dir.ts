import { fileURLToPath } from 'node:url';

/** Where `pnpm --filter @clvlens/shopify-app run build:dashboard` (vite.config.ts) writes the dashboard's bundle. */
export const DASHBOARD_BUILD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

/** The command that builds it, for messages. */
export const DASHBOARD_BUILD_COMMAND = 'pnpm --filter @clvlens/shopify-app run build:dashboard';
