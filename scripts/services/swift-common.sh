# Shared by swift.sh and keystone.sh (sourced, after scripts/lib.sh): where the Swift all-in-one
# lives, and how its servers are configured and started.

ROOT=/var/lib/floe-test/swift
ETC=$ROOT/etc       # swift_dir: server configurations and rings
LOGS=$ROOT/log
MEMCACHED_PORT=11211

# swift_server_defaults PORT LOG_NAME: the [DEFAULT] section of a server on 127.0.0.1:PORT; a
# caller may add its own lines to the section right after.
swift_server_defaults() {
  printf '[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %s\nworkers = 0\nuser = swift\nswift_dir = %s\nlog_name = %s\n' "$1" "$ETC" "$2"
}

# swift_filters NAME...: the [filter:NAME] sections of proxy middlewares that take no options
# (each is egg:swift#NAME, dashes as underscores).
swift_filters() {
  local name
  for name in "$@"; do printf '\n[filter:%s]\nuse = egg:swift#%s\n' "$name" "${name//-/_}"; done
}

# start_swift_server BINARY NAME PORT: /usr/bin/swift-BINARY with $ETC/NAME.conf, unless something
# answers on PORT. With workers = 0 Swift does not drop privileges itself, so the server runs as the
# swift user, in a session of its own (it outlives the caller's process group); -v sends its log to
# the console, which goes to $LOGS/NAME.log.
start_swift_server() {
  local binary=$1 name=$2 port=$3
  port_open 127.0.0.1 "$port" && return 0
  log "starting swift $name"
  setsid setpriv --reuid=swift --regid=swift --init-groups \
    "/usr/bin/swift-$binary" "$ETC/$name.conf" -v >>"$LOGS/$name.log" 2>&1 </dev/null &
  wait_for 30 "swift-$binary (port $port, log $LOGS/$name.log)" port_open 127.0.0.1 "$port"
}

# header_value NAME: the value of header NAME in the `curl -D` output on stdin.
header_value() {
  tr -d '\r' | awk -F': ' -v name="$1" 'tolower($1) == name {print $2}'
}
