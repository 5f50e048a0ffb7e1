# Redis for the scale-out tests (BullMQ jobs, `ripple worker`): Debian's redis-server on loopback, data under .redis/.
# Sourced by .ci/run. Exports RIPPLE_TEST_REDIS_URL (not RIPPLE_REDIS_URL: the other tests and the CLI tests keep the
# embedded default); the tests that need Redis skip with one line without it.
apt_install redis-server
REDIS_PORT=${REDIS_PORT:-6390}
mkdir -p .redis
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$PWD/.redis" --daemonize yes \
  --pidfile "$PWD/.redis/redis.pid" --logfile "$PWD/.redis/redis.log" --save '' --appendonly no >/dev/null
for _ in $(seq 1 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$REDIS_PORT" ping
export RIPPLE_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
on_exit "redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1"
