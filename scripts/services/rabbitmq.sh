#!/usr/bin/env bash
# Installs and starts RabbitMQ from Debian's packages on loopback (reusing a running broker) and
# creates Floe's user and virtual hosts. Usage: rabbitmq.sh VHOST...
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

ensure_packages rabbitmq-server
if [ ! -f /etc/rabbitmq/rabbitmq-env.conf ] || ! grep -q '^NODE_IP_ADDRESS=' /etc/rabbitmq/rabbitmq-env.conf; then
  # Loopback only: nothing outside this machine may reach the broker of a development set-up.
  echo 'NODE_IP_ADDRESS=127.0.0.1' >> /etc/rabbitmq/rabbitmq-env.conf
fi
if ! port_open 127.0.0.1 5672; then
  log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for 90 "RabbitMQ (port 5672)" port_open 127.0.0.1 5672
fi
wait_for 60 "RabbitMQ" rabbitmqctl -q await_startup

if ! rabbitmqctl -q list_users | awk '{print $1}' | grep -qx floe; then
  log "creating RabbitMQ user floe"
  rabbitmqctl -q add_user floe floe >/dev/null
fi
for vhost in "$@"; do
  if ! rabbitmqctl -q list_vhosts | grep -qx "$vhost"; then
    log "creating RabbitMQ virtual host $vhost"
    rabbitmqctl -q add_vhost "$vhost" >/dev/null
  fi
  rabbitmqctl -q set_permissions -p "$vhost" floe '.*' '.*' '.*' >/dev/null
done
