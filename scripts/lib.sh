# Shared helpers for Floe's set-up scripts (sourced, not run).
log() { printf '[floe-setup] %s\n' "$*" >&2; }
die() { printf '[floe-setup] ERROR: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
# Installs Debian packages that are missing; runs apt-get update once, only when something is missing.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "packages ${missing[*]} are missing; run as root or install them first"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# wait_for TIMEOUT_S DESCRIPTION COMMAND...: retries COMMAND once a second until it succeeds.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not become ready within ${timeout}s"
    sleep 1
  done
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
