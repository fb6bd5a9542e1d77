/** The real-admin replica tests (real-admin-suite.ts) in Debian's Chromium, driven by playwright-core. */
import { launchChromium } from './drivers.ts';
import { realAdminSuite } from './real-admin-suite.ts';

realAdminSuite('Chromium', launchChromium);
