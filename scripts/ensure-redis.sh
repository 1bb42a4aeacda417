#!/usr/bin/env bash
# ensure-redis.sh: make sure redis-server and redis-cli are installed and a
# Redis answers on 127.0.0.1:6379 (the redisbackend tests and examples use
# it; tests that kill or restart Redis, and the cluster test, start their
# own servers on free ports). Safe to run any number of times.
set -euo pipefail

need_install=0
command -v redis-server >/dev/null 2>&1 || need_install=1
command -v redis-cli >/dev/null 2>&1 || need_install=1
if [ "$need_install" = 1 ]; then
  echo "ensure-redis: installing redis-server and redis-tools"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y redis-server redis-tools
fi

if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "ensure-redis: $(redis-server --version | cut -d' ' -f1-3) answers on 127.0.0.1:6379"
  exit 0
fi

echo "ensure-redis: starting redis-server on 127.0.0.1:6379"
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp --logfile /tmp/ssekit-redis-6379.log
for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    echo "ensure-redis: ready"
    exit 0
  fi
  sleep 0.1
done
echo "ensure-redis: redis-server did not answer on 127.0.0.1:6379; log:" >&2
tail -20 /tmp/ssekit-redis-6379.log >&2 || true
exit 1
