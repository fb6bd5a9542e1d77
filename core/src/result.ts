/** An expected outcome that can fail because of the data: the UI shows each `reason`. Bugs throw instead. */
export type Result<T, R extends string> = { ok: true; value: T } | { ok: false; reason: R };
