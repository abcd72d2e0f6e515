#!/usr/bin/env bash
# Runs a private OpenSSH server for the SFTP repository tests, on 127.0.0.1:2222 and 2223, with its own
# config, host key and client keys under /var/lib/floe-test/sshd (generated once, kept after).
# The user floe-sftp may only use SFTP, authenticated by one of the two client keys. Port 2223
# serves SFTP from a separate sftp-server process, which a test stops to hang requests while the
# SSH connection itself still answers.
# Constants for the tests: tests/support/sftp-server.ts. Usage: sshd.sh
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

PORT=2222
SFTP_SERVER_PORT=2223
SFTP_USER=floe-sftp
SFTP_HOME=/var/lib/floe-sftp
DIR=/var/lib/floe-test/sshd

ensure_packages openssh-server

if ! id -u "$SFTP_USER" >/dev/null 2>&1; then
  log "creating user $SFTP_USER"
  useradd --system --create-home --home-dir "$SFTP_HOME" --shell /usr/sbin/nologin "$SFTP_USER"
fi
usermod -p '*' "$SFTP_USER" # useradd leaves the account locked; '*' unlocks it for keys, no password
# sshd runs an external sftp-server through the user's shell; ForceCommand still allows nothing else.
[ "$(getent passwd "$SFTP_USER" | cut -d: -f7)" = /bin/sh ] || usermod -s /bin/sh "$SFTP_USER"

# sshd (StrictModes) reads authorized_keys only from directories nobody else can write to.
install -d -m 0755 /var/lib/floe-test
install -d -m 0755 "$DIR"

generate_key() { # generate_key FILE PASSPHRASE COMMENT: once, an ed25519 key pair
  [ -f "$1" ] || { log "generating $1"; ssh-keygen -q -t ed25519 -N "$2" -C "$3" -f "$1"; }
}
generate_key "$DIR/ssh_host_ed25519_key" '' 'floe-test sshd host key'
generate_key "$DIR/client_ed25519" '' 'floe-test sftp client'
if [ ! -f "$DIR/client_ed25519_pass" ]; then
  (umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$DIR/client_ed25519_pass.passphrase")
  generate_key "$DIR/client_ed25519_pass" "$(cat "$DIR/client_ed25519_pass.passphrase")" 'floe-test sftp client (passphrase)'
fi

cat "$DIR/client_ed25519.pub" "$DIR/client_ed25519_pass.pub" > "$DIR/authorized_keys"
chmod 0644 "$DIR/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/ssh_host_ed25519_key.pub")" > "$DIR/known_hosts"

cat > "$DIR/sshd_config.new" <<EOF
Port $PORT
Port $SFTP_SERVER_PORT
ListenAddress 127.0.0.1
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowUsers $SFTP_USER
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
ForceCommand internal-sftp
Subsystem sftp internal-sftp
Match LocalPort $SFTP_SERVER_PORT
  ForceCommand /usr/lib/openssh/sftp-server
EOF
config_changed=false
if cmp -s "$DIR/sshd_config.new" "$DIR/sshd_config"; then rm "$DIR/sshd_config.new"
else mv "$DIR/sshd_config.new" "$DIR/sshd_config"; config_changed=true; fi
mkdir -p /run/sshd
/usr/sbin/sshd -t -f "$DIR/sshd_config" || die "sshd rejects $DIR/sshd_config"

sftp_answers() { # sftp_answers PORT
  sftp -q -b - -i "$DIR/client_ed25519" -P "$1" -o BatchMode=yes -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes -o HostKeyAlias="[127.0.0.1]:$PORT" \
    "$SFTP_USER@127.0.0.1" <<< 'pwd'
}

if ! port_open 127.0.0.1 "$PORT"; then
  log "starting sshd on 127.0.0.1:$PORT and :$SFTP_SERVER_PORT"
  /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log"
elif $config_changed; then
  log "sshd's config changed: reloading it"
  kill -HUP "$(cat "$DIR/sshd.pid")" # sshd re-executes itself with the new config
fi
wait_for 10 "sshd (port $PORT)" port_open 127.0.0.1 "$PORT"
wait_for 10 "sshd (port $SFTP_SERVER_PORT)" port_open 127.0.0.1 "$SFTP_SERVER_PORT"
wait_for 10 "SFTP on 127.0.0.1:$PORT" sftp_answers "$PORT"
wait_for 10 "SFTP on 127.0.0.1:$SFTP_SERVER_PORT" sftp_answers "$SFTP_SERVER_PORT"
