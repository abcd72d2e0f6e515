#!/usr/bin/env bash
# Installs and starts an OpenStack Swift all-in-one (one replica, loopback only) from Debian's packages
# for the tests: the native API with tempauth (user test:tester, key testing) and, on the same port, the
# S3 API of the s3api middleware (region us-east-1). Everything lives under /var/lib/floe-test/swift;
# a server that already answers on its port is reused. Constants: tests/support/swift-server.ts.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/swift-common.sh"

DEVICES=$ROOT/srv   # one device, d1, on a plain directory (mount_check = false)
PROXY_PORT=8080
declare -A PORTS=([account]=6202 [container]=6201 [object]=6200)

ensure_packages swift swift-proxy swift-object swift-container swift-account python3-swift memcached curl
id swift >/dev/null 2>&1 || die "the swift user is missing (it comes with the swift package)"
# swift.conf is read from /etc/swift whatever swift_dir says; the package ships one with a hash suffix.
grep -q '^swift_hash_path_suffix' /etc/swift/swift.conf 2>/dev/null \
  || die "/etc/swift/swift.conf has no swift_hash_path_suffix"

mkdir -p "$ETC" "$DEVICES/d1" "$LOGS" "$ROOT/cache"
chown -R swift:swift "$DEVICES" "$LOGS" "$ROOT/cache"

# storage_server_conf KIND: the configuration of the account, container or object server.
storage_server_conf() {
  swift_server_defaults "${PORTS[$1]}" "$1-server"
  cat <<EOF
devices = $DEVICES
mount_check = false
recon_cache_path = $ROOT/cache

[pipeline:main]
pipeline = $1-server

[app:$1-server]
use = egg:swift#$1
EOF
}

proxy_server_conf() {
  swift_server_defaults "$PROXY_PORT" proxy-server
  cat <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHED_PORT
EOF
  swift_filters catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk tempurl copy slo dlo versioned_writes symlink
}

for kind in account container object; do
  storage_server_conf "$kind" > "$ETC/$kind-server.conf"
done
proxy_server_conf > "$ETC/proxy-server.conf"

# Rings are built once: rebuilding them would rehash where existing objects live.
for kind in account container object; do
  [ -f "$ETC/$kind.ring.gz" ] && continue
  log "building the $kind ring"
  rm -f "$ETC/$kind.builder"
  /usr/bin/swift-ring-builder "$ETC/$kind.builder" create 10 1 1 >/dev/null
  /usr/bin/swift-ring-builder "$ETC/$kind.builder" add "r1z1-127.0.0.1:${PORTS[$kind]}/d1" 1 >/dev/null
  /usr/bin/swift-ring-builder "$ETC/$kind.builder" rebalance >/dev/null \
    || die "rebalancing the $kind ring failed"
done
chown -R swift:swift "$ETC"

if ! port_open 127.0.0.1 "$MEMCACHED_PORT"; then
  log "starting memcached"
  memcached -d -u memcache -l 127.0.0.1 -p "$MEMCACHED_PORT" || die "memcached did not start"
  wait_for 10 "memcached (port $MEMCACHED_PORT)" port_open 127.0.0.1 "$MEMCACHED_PORT"
fi

for kind in account container object; do
  start_swift_server "$kind-server" "$kind-server" "${PORTS[$kind]}"
done
start_swift_server proxy-server proxy-server "$PROXY_PORT"

# /healthcheck answers before the backends work: ready means a real token and a container PUT.
swift_works() {
  local headers token url
  headers=$(curl -fsS -D - -o /dev/null -H 'X-Auth-User: test:tester' -H 'X-Auth-Key: testing' \
    "http://127.0.0.1:$PROXY_PORT/auth/v1.0") || return 1
  token=$(printf '%s' "$headers" | header_value x-auth-token)
  url=$(printf '%s' "$headers" | header_value x-storage-url)
  [ -n "$token" ] && [ -n "$url" ] || return 1
  curl -fsS -o /dev/null -X PUT -H "X-Auth-Token: $token" "$url/floe-setup-check"
}
wait_for 60 "Swift (token and container PUT on 127.0.0.1:$PROXY_PORT, logs in $LOGS)" swift_works
log "Swift is ready on 127.0.0.1:$PROXY_PORT"
