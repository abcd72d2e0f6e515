#!/usr/bin/env bash
# The whole set-up behind `npm start` and `npm test`: Debian packages, PostgreSQL, RabbitMQ,
# npm dependencies and the build. Idempotent: running services are reused, nothing is redone.
#   setup.sh          what `npm start` needs
#   setup.sh --test   also the test database, the test virtual host and the cinder CLI
#   setup.sh --bench  also the benchmark's database and virtual host
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

databases=(floe); vhosts=(floe)
if [ "${1:-}" = "--test" ]; then
  databases+=(floe_test); vhosts+=(floe-test)
  ensure_packages python3-cinderclient
elif [ "${1:-}" = "--bench" ]; then
  databases+=(floe_bench); vhosts+=(floe-bench)
fi
bash scripts/services/postgres.sh "${databases[@]}"
bash scripts/services/rabbitmq.sh "${vhosts[@]}"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building"
npx tsc -p tsconfig.json
# `floe` (and the service entry points) on PATH, pointing at this checkout.
if [ "$(readlink -f "$(command -v floe 2>/dev/null)" 2>/dev/null)" != "$(pwd)/dist/cli/main.js" ]; then
  log "linking the floe command"
  npm link --no-audit --no-fund --loglevel=error >/dev/null
fi
