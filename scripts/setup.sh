#!/usr/bin/env bash
# The whole set-up behind `npm start` and `npm test`: Debian packages, PostgreSQL, RabbitMQ,
# npm dependencies and the build. Idempotent: running services are reused, nothing is redone.
#   setup.sh          what `npm start` needs
#   setup.sh --test   also the test database, the test virtual host, the cinder CLI and the
#                     remote repository servers (sshd, Swift all-in-one with its S3 API, Keystone
#                     with a Swift proxy behind it; loopback)
#   setup.sh --bench  also the benchmark's database and virtual host, sshd and the Swift all-in-one
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
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  bash scripts/services/sshd.sh
  bash scripts/services/swift.sh
fi
if [ "${1:-}" = "--test" ]; then
  bash scripts/services/keystone.sh
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # The C++ tool chain builds fs-ext, whose lseek(SEEK_DATA) lets backups skip the holes of
  # sparse files; npm leaves an optional module out when its build fails, and backups then read them.
  ensure_packages g++ make python3
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building"
# The build also makes the commands executable: they run through their #! lines (floe-agent's sets
# up the process), also where `npm link` below has nothing to do.
npm run --silent build
# `floe`, `floe-agent` and the service entry points on PATH, pointing at this checkout.
linked() {
  node -e '
    const { bin } = require("./package.json");
    const { execSync } = require("child_process");
    const fs = require("fs");
    for (const [name, file] of Object.entries(bin)) {
      let found = "";
      try { found = fs.realpathSync(execSync(`command -v ${name}`, { shell: "/bin/bash" }).toString().trim()); } catch {}
      if (found !== fs.realpathSync(file)) process.exit(1);
    }'
}
if ! linked; then
  log "linking the floe commands"
  npm link --no-audit --no-fund --loglevel=error >/dev/null
fi
