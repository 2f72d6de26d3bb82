#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on their local defaults, starting installed servers
# when they do not. Tests of later apps need both; CI runs this before `npm test`.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
pg_up || { echo "ensure-services: PostgreSQL does not answer on 127.0.0.1:5432; install it (Debian: apt-get install postgresql)" >&2; exit 1; }

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "ensure-services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
    for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  fi
fi
redis_up || { echo "ensure-services: Redis does not answer on 127.0.0.1:6379; install it (Debian: apt-get install redis-server)" >&2; exit 1; }

echo "ensure-services: PostgreSQL and Redis answer"
