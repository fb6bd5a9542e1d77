/**
 * Runs `work` for a shop only after the shop's previous run in this process ended (failed or not): a job and a direct
 * call, or a retry racing a webhook, then run one after the other. Across processes the work itself must be safe.
 */
export function onePerShop<A extends unknown[], T>(work: (shop: string, ...args: A) => Promise<T>): (shop: string, ...args: A) => Promise<T> {
  const running = new Map<string, Promise<unknown>>();
  return (shop, ...args) => {
    const before = running.get(shop) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(() => work(shop, ...args));
    running.set(shop, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (running.get(shop) === run) running.delete(shop);
      });
    return run;
  };
}
