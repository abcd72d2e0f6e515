#!/usr/bin/env bash
# Runs OpenStack Keystone (identity v3, from Debian's packages) for the tests, on 127.0.0.1:5000 only,
# with a SQLite database and fernet tokens under /var/lib/floe-test/keystone, and a second proxy of the
# Swift all-in-one (scripts/services/swift.sh, which must run first) on 127.0.0.1:8081 that
# authenticates with it (authtoken + keystoneauth, accounts KEY_<project id>). The catalog lists that
# proxy as the object-store. The test user floe-tester (password testing-ks, role swiftoperator) is in
# project floe-test. Constants: tests/support/swift-server.ts. Usage: keystone.sh
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/swift-common.sh"

DIR=/var/lib/floe-test/keystone
CONF=$DIR/keystone.conf
PORT=5000
URL=http://127.0.0.1:$PORT/v3
PROXY_PORT=8081
ADMIN_PASSWORD=floe-keystone-admin       # loopback-only test server
SWIFT_SERVICE_PASSWORD=floe-swift-service

ensure_packages python3-keystone python3-keystonemiddleware curl
[ -f "$ETC/object.ring.gz" ] || die "run scripts/services/swift.sh first (no rings in $ETC)"

mkdir -p "$DIR/log"
cat > "$CONF" <<EOF
[DEFAULT]
log_dir = $DIR/log

[database]
connection = sqlite:///$DIR/keystone.db

[token]
provider = fernet
expiration = 3600

[fernet_tokens]
key_repository = $DIR/fernet-keys

[fernet_receipts]
key_repository = $DIR/fernet-keys

[credential]
key_repository = $DIR/credential-keys
EOF

# keystone-manage prints eventlet's noise at exit; its log is $DIR/log/keystone-manage.log.
manage() { /usr/bin/keystone-manage --config-file "$CONF" "$@" >/dev/null 2>&1; }
if [ ! -f "$DIR/bootstrapped" ]; then
  log "creating the Keystone database"
  manage db_sync || die "keystone-manage db_sync failed (see $DIR/log)"
  manage fernet_setup --keystone-user root --keystone-group root || die "keystone-manage fernet_setup failed"
  manage credential_setup --keystone-user root --keystone-group root || die "keystone-manage credential_setup failed"
  manage bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$URL/" --bootstrap-public-url "$URL/" || die "keystone-manage bootstrap failed"
  touch "$DIR/bootstrapped"
fi

if ! port_open 127.0.0.1 "$PORT"; then
  log "starting keystone"
  setsid /usr/bin/keystone-wsgi-public --host 127.0.0.1 --port "$PORT" -- --config-file "$CONF" \
    >>"$DIR/log/server.log" 2>&1 </dev/null &
  wait_for 60 "keystone (port $PORT, log $DIR/log)" curl -fsS "$URL"
fi

# The service project and user that Swift's authtoken validates tokens with, the test project and
# user, and Swift in the catalog; once (each is also created only when missing).
if [ ! -f "$DIR/configured" ]; then
/usr/bin/python3 - "$URL" "$ADMIN_PASSWORD" "$SWIFT_SERVICE_PASSWORD" "http://127.0.0.1:$PROXY_PORT" <<'EOF' \
  || die "configuring Keystone's users and catalog failed"
import json, sys, urllib.request

url, admin_password, service_password, swift_url = sys.argv[1:]

def call(method, path, body=None, token=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={'Content-Type': 'application/json', **({'X-Auth-Token': token} if token else {})})
    with urllib.request.urlopen(req) as res:
        return res.headers, json.loads(res.read() or b'null')

scope = {'project': {'name': 'admin', 'domain': {'id': 'default'}}}
user = {'name': 'admin', 'domain': {'id': 'default'}, 'password': admin_password}
headers, _ = call('POST', '/auth/tokens', {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}}, 'scope': scope}})
token = headers['X-Subject-Token']

def ensure(collection, key, filters, body):
    found = call('GET', f'/{collection}?{filters}', token=token)[1][collection]
    return found[0]['id'] if found else call('POST', f'/{collection}', {key: body}, token)[1][key]['id']

def grant(project, user, role):
    call('PUT', f'/projects/{project}/users/{user}/roles/{role}', token=token)

admin_role = ensure('roles', 'role', 'name=admin', {'name': 'admin'})
operator_role = ensure('roles', 'role', 'name=swiftoperator', {'name': 'swiftoperator'})
service_project = ensure('projects', 'project', 'name=service', {'name': 'service', 'domain_id': 'default'})
test_project = ensure('projects', 'project', 'name=floe-test', {'name': 'floe-test', 'domain_id': 'default'})
swift_user = ensure('users', 'user', 'name=swift', {'name': 'swift', 'domain_id': 'default', 'password': service_password})
test_user = ensure('users', 'user', 'name=floe-tester', {'name': 'floe-tester', 'domain_id': 'default', 'password': 'testing-ks'})
grant(service_project, swift_user, admin_role)
grant(test_project, test_user, operator_role)
service = ensure('services', 'service', 'type=object-store', {'name': 'swift', 'type': 'object-store'})
ensure('endpoints', 'endpoint', f'service_id={service}&interface=public',
       {'service_id': service, 'interface': 'public', 'region_id': 'RegionOne', 'url': swift_url + '/v1/KEY_$(project_id)s'})
EOF
touch "$DIR/configured"
fi

{
  swift_server_defaults "$PROXY_PORT" proxy-keystone
  cat <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats authtoken keystoneauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://127.0.0.1:$PORT
auth_url = http://127.0.0.1:$PORT
auth_type = password
interface = public
user_domain_id = default
project_domain_id = default
project_name = service
username = swift
password = $SWIFT_SERVICE_PASSWORD
delay_auth_decision = true
memcached_servers = 127.0.0.1:$MEMCACHED_PORT
# Every request is checked with Keystone: a revoked token stops working at once.
token_cache_time = -1

[filter:keystoneauth]
use = egg:swift#keystoneauth
reseller_prefix = KEY_
operator_roles = admin, swiftoperator

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHED_PORT
EOF
  swift_filters catch_errors gatekeeper healthcheck proxy-logging listing_formats copy slo dlo
} > "$ETC/proxy-keystone.conf"
chown swift:swift "$ETC/proxy-keystone.conf"
start_swift_server proxy-server proxy-keystone "$PROXY_PORT"

# Ready means a Keystone token of the test user and a container PUT at the catalog's Swift URL.
keystone_swift_works() {
  local body token account
  body=$(curl -fsS -D "$DIR/login.headers" -H 'Content-Type: application/json' -X POST "$URL/auth/tokens" -d '{"auth":
    {"identity": {"methods": ["password"], "password": {"user": {"name": "floe-tester", "domain": {"id": "default"}, "password": "testing-ks"}}},
     "scope": {"project": {"name": "floe-test", "domain": {"id": "default"}}}}}') || return 1
  token=$(header_value x-subject-token < "$DIR/login.headers")
  account=$(printf '%s' "$body" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"]["project"]["id"])') || return 1
  [ -n "$token" ] || return 1
  curl -fsS -o /dev/null -X PUT -H "X-Auth-Token: $token" "http://127.0.0.1:$PROXY_PORT/v1/KEY_$account/floe-setup-check"
}
wait_for 60 "Swift behind Keystone (token and container PUT on 127.0.0.1:$PROXY_PORT, logs in $LOGS, $DIR/log)" keystone_swift_works
log "Keystone is ready on 127.0.0.1:$PORT, Swift behind it on 127.0.0.1:$PROXY_PORT"
