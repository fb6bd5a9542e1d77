/**
 * The real-admin replica tests (real-admin-suite.ts) in Debian's firefox-esr, driven over WebDriver BiDi by
 * puppeteer-core; the test command (test/scripts/run-all-tests.sh) installs firefox-esr when it is missing.
 */
import { firefoxAvailable, launchFirefox } from './drivers.ts';
import { realAdminSuite } from './real-admin-suite.ts';

realAdminSuite('Firefox', launchFirefox, { skip: !firefoxAvailable() });
