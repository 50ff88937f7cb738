#!/usr/bin/env bash
# A private Redis Cluster of 3 primaries + 3 replicas on one machine, for the benchmark
# (the store "redis-cluster") and its tests. No persistence; everything lives in one directory
# that "stop" deletes.
#
#   redis-cluster.sh start [BASE_PORT]   start nodes on BASE_PORT … BASE_PORT+5 (default 7101; the
#                                        cluster bus uses port + 10000); prints the seed URI
#   redis-cluster.sh stop  [BASE_PORT]   stop them and delete their directory
#   redis-cluster.sh uri   [BASE_PORT]   print the seed URI of a running cluster
#   redis-cluster.sh run   [BASE_PORT] -- COMMAND…
#                                        start, run COMMAND with SESSIONKIT_BENCH_URI_REDIS_CLUSTER
#                                        set to the seed URI, stop (also when COMMAND fails or is
#                                        interrupted); exits with COMMAND's status
#
# Environment: REDIS_CLUSTER_REPLICAS (replicas per primary, default 1), REDIS_CLUSTER_MAXMEMORY
# (per node, e.g. 2gb; default none), TMPDIR. With REDIS_SINGLE_PORT=P, "run" also starts one
# plain server on port P (the flags of the shared development server: no persistence) and sets
# SESSIONKIT_BENCH_URI_REDIS to it, so that the single-server store is measured on a private
# server too, away from other users' tests; stopped with the cluster. With REDIS_STATS=FILE, "stop"
# (also at the end of "run") first appends every node's INFO commandstats and memory peak to
# FILE: the server's own time per command (usec_per_call), which a loaded machine disturbs far
# less than the client's wall-clock time. Needs redis-server and
# redis-cli (Redis 7).
# Example (what BENCHMARKS.md ran):
#   session-bench/scripts/redis-cluster.sh run -- java -jar session-bench/target/benchmarks.jar \
#       --include AppendBenchmark.append$ -p turn=10,1000 -p store=redis,redis-cluster
set -euo pipefail

die() { echo "redis-cluster.sh: $*" >&2; exit 1; }

cmd=${1:-}
[ -n "$cmd" ] || die "usage: redis-cluster.sh start|stop|uri|run [BASE_PORT] [-- COMMAND…]"
shift
base=7101
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  base=$1
  shift
fi
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 55000 ] || die "bad base port: $base"
replicas=${REDIS_CLUSTER_REPLICAS:-1}
nodes=$((3 * (1 + replicas)))
dir="${TMPDIR:-/tmp}/sessionkit-redis-cluster-$base"
ports() { seq "$base" $((base + nodes - 1)); }
uri() { echo "redis://127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"; }

port_in_use() {
  # bash's /dev/tcp: a connection that succeeds means something listens there
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_single() {
  [ -n "${REDIS_SINGLE_PORT:-}" ] && [ -f "$dir/single/redis.pid" ] || return 0
  local pid
  pid=$(cat "$dir/single/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

start_single() {
  local p=$REDIS_SINGLE_PORT
  port_in_use "$p" && die "port $p (REDIS_SINGLE_PORT) is in use"
  mkdir -p "$dir/single"
  redis-server --port "$p" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir/single" \
    --daemonize yes --pidfile "$dir/single/redis.pid" --logfile "$dir/single/log" \
    || die "redis-server on port $p did not start"
  for _ in $(seq 50); do
    redis-cli -p "$p" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "redis-server on port $p does not answer"
}

stats() {
  [ -n "${REDIS_STATS:-}" ] || return 0
  local all=()
  for p in $(ports); do all+=("$p"); done
  if [ -n "${REDIS_SINGLE_PORT:-}" ] && [ -f "$dir/single/redis.pid" ]; then all+=("$REDIS_SINGLE_PORT"); fi
  for p in "${all[@]}"; do
    {
      echo "## 127.0.0.1:$p $(date -u +%FT%TZ)"
      redis-cli -p "$p" info replication | grep '^role:' || true
      redis-cli -p "$p" info memory | grep -E '^used_memory_peak_human:' || true
      redis-cli -p "$p" info commandstats | grep -E '^cmdstat_' || true
    } >>"$REDIS_STATS" 2>&1
  done
}

stop() {
  [ -d "$dir" ] || return 0
  stats
  stop_single
  local pids=()
  for p in $(ports); do
    if [ -f "$dir/$p/redis.pid" ]; then
      pids+=("$(cat "$dir/$p/redis.pid")")
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
      local alive=0
      for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then alive=1; fi
      done
      [ $alive -eq 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
  rm -rf "$dir"
}

start() {
  command -v redis-server >/dev/null || die "redis-server is not on the PATH"
  command -v redis-cli >/dev/null || die "redis-cli is not on the PATH"
  [ -e "$dir" ] && die "$dir exists: a cluster on base port $base runs already (stop it first)"
  for p in $(ports); do
    if port_in_use "$p" || port_in_use $((p + 10000)); then
      die "port $p or $((p + 10000)) is in use; give another base port"
    fi
  done
  mkdir -p "$dir"
  local maxmemory=()
  if [ -n "${REDIS_CLUSTER_MAXMEMORY:-}" ]; then
    maxmemory=(--maxmemory "$REDIS_CLUSTER_MAXMEMORY" --maxmemory-policy noeviction)
  fi
  for p in $(ports); do
    mkdir -p "$dir/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/$p/nodes.conf" --cluster-node-timeout 2000 \
      --save "" --appendonly no --dir "$dir/$p" --daemonize yes \
      --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/log" "${maxmemory[@]}" \
      || { stop; die "redis-server on port $p did not start"; }
  done
  for p in $(ports); do
    for _ in $(seq 50); do
      redis-cli -p "$p" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
  local addresses=()
  for p in $(ports); do addresses+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$replicas" --cluster-yes \
    >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; stop; die "redis-cli --cluster create failed"; }
  # every node must agree before a client connects (a seed that is not ready yet answers
  # CLUSTERDOWN or an incomplete slot map)
  for p in $(ports); do
    local ok=0
    for _ in $(seq 300); do
      if redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then ok=1; break; fi
      sleep 0.1
    done
    [ $ok -eq 1 ] || { stop; die "node $p did not reach cluster_state:ok in 30 s"; }
  done
  # replicas must have finished their first sync, or their primaries fork for it mid-benchmark
  for p in $(ports); do
    for _ in $(seq 300); do
      if redis-cli -p "$p" info replication | grep -q '^role:master' \
          || redis-cli -p "$p" info replication | grep -q '^master_link_status:up'; then break; fi
      sleep 0.1
    done
  done
  uri
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  uri)
    [ -d "$dir" ] || die "no cluster on base port $base"
    uri
    ;;
  run)
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "run needs a command after --"
    # never stop a cluster this call did not start
    [ -e "$dir" ] && die "$dir exists: a cluster on base port $base runs already (stop it first)"
    trap stop EXIT
    trap 'exit 130' INT TERM
    SESSIONKIT_BENCH_URI_REDIS_CLUSTER=$(start)
    export SESSIONKIT_BENCH_URI_REDIS_CLUSTER
    echo "redis-cluster.sh: cluster at $SESSIONKIT_BENCH_URI_REDIS_CLUSTER (${nodes} nodes, $dir)" >&2
    if [ -n "${REDIS_SINGLE_PORT:-}" ]; then
      start_single
      export SESSIONKIT_BENCH_URI_REDIS="redis://127.0.0.1:$REDIS_SINGLE_PORT"
      echo "redis-cluster.sh: single server at $SESSIONKIT_BENCH_URI_REDIS" >&2
    fi
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
  *) die "unknown command $cmd (start, stop, uri, run)" ;;
esac
