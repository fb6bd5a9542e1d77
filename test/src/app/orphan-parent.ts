// Fixture of orphans.test.ts, standing in for a bench: forks an app process, hands a watchdog a command to run once
// this process is gone, tells the test the app's pid, then waits to be killed.
import { runWhenBenchExits } from '../../bench/orphans.ts';
import { startAppProcess } from './app-process-client.ts';

const [fakeUrl, dataDir, marker] = process.argv.slice(2) as [string, string, string];
const app = await startAppProcess({ FAKE_SHOPIFY_URL: fakeUrl, APP_DATA_DIR: dataDir });
runWhenBenchExits(['touch', marker]);
process.send?.({ appPid: app.child.pid });
setInterval(() => {}, 60_000);
