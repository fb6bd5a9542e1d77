#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, cross-package, PostgreSQL and real-Chromium tests.
# Called by `pnpm test` after `pnpm install`; installs Debian's chromium, firefox-esr and postgresql when they are missing,
# starts a throwaway PostgreSQL cluster on loopback, and prints one "N passed, N failed" line at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
# Korean glyphs for the en/ko/ar screenshots (Arabic and Latin come with the default fonts).
[ -d /usr/share/fonts/truetype/nanum ] || need_apt+=(fonts-nanum)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_apt[*]} (run as root, or install them, to run the browser and PostgreSQL tests)" >&2
    exit 1
  fi
fi

# A throwaway PostgreSQL cluster on loopback, owned by the postgres user, removed on exit.
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PG_PORT=${CLVLENS_TEST_PG_PORT:-54329}
PG_DIR=$(mktemp -d /tmp/clvlens-pg.XXXXXX)
chown postgres:postgres "$PG_DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
export CLVLENS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# The restart test (shopify-app/src/db/pg-restart.test.ts) starts and restarts a cluster of its own with these.
export CLVLENS_TEST_PG_BIN="$PG_BIN"
export CLVLENS_CHROMIUM=/usr/bin/chromium
export CLVLENS_FIREFOX=/usr/bin/firefox-esr

# Build steps that tests depend on (each package decides what it needs).
if [ -f extension/wxt.config.ts ]; then
  pnpm --filter @clvlens/extension run build >/dev/null
fi
# The shared charts' bundle for the CLI's HTML report, and the embedded dashboard (both Vite builds).
pnpm -s build:ui >/dev/null

REPORT="$PG_DIR/vitest.json"
status=0
# Types first: a type error fails the run even when every test passes.
pnpm -s typecheck || { echo "typecheck failed (errors above)" >&2; status=1; }
# Formatting by Prettier (.prettierrc.json; `pnpm format` fixes it).
pnpm -s format:check || { echo "formatting check failed: run pnpm format (files above)" >&2; status=1; }
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$REPORT" || status=$?
if [ -f "$REPORT" ]; then node "$ROOT/test/scripts/summarize-vitest.ts" "$REPORT" || status=$?; fi
if [ $status -ne 0 ]; then echo "vitest exited with $status (failed tests, or errors outside tests: see above)" >&2; fi
exit $status
