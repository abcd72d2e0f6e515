#!/usr/bin/env bash
# The peers and measuring tools of `npm run bench:backup`: restic, Borg and GNU time, from Debian.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages restic borgbackup time
