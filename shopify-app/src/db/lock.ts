import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AppError } from '../errors.ts';

/** How long a process starting on a locked data directory tries before it is refused (SQLite's busy timeout). */
const LOCK_BUSY_MS = 250;

/**
 * Takes the exclusive lock on a PGlite data directory: two processes on one directory corrupt it silently
 * (storage.md §5). The lock is SQLite's exclusive lock (a POSIX `fcntl` record lock, through Node's built-in
 * `node:sqlite`, no native addon) on `<dataDir>/.lock.sqlite`, held by an open file descriptor for the life of the
 * process: the kernel drops it when the process dies in any way, kill -9 included, so there is no stale lock to clean
 * up and no process id to be confused by (a restarted container's app is often pid 1 again). It also holds between
 * containers that share the volume, and against a second open in the same process. `.lock` holds the holder's pid
 * while it runs, for the error message (and for older app versions, which read it); it decides nothing. The SQLite
 * file is never deleted: a process that opened it just before the delete would lock a file nobody else sees.
 */
export function acquireDataDirLock(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, '.lock.sqlite');
  const ownerPath = join(dataDir, '.lock');
  // A short busy timeout, not none: two processes starting at once can each hold SQLite's shared lock on the way to
  // the exclusive one, and with no retry both were refused (CI saw it once). SQLite then refuses at once the one that
  // would deadlock, and the other, retrying, gets the lock. A process that finds the lock held waits this long.
  const lock = new DatabaseSync(path, { timeout: LOCK_BUSY_MS });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { errcode?: number }).errcode !== 5 && (error as { errcode?: number }).errcode !== 6) throw error;
    let owner = 'another process';
    try {
      const pid = readFileSync(ownerPath, 'utf8').trim();
      if (/^\d+$/.test(pid)) owner = `process ${pid}`;
    } catch {
      // No note (yet): the holder is starting.
    }
    throw new AppError(
      'data-dir-locked',
      `The embedded database ${dataDir} is in use by ${owner}. Stop it, or set DATABASE_URL to share a PostgreSQL server between processes.`,
      { cause: error },
    );
  }
  writeFileSync(ownerPath, String(process.pid));
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(ownerPath, { force: true });
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}
