#!/usr/bin/env bash
# Launches the SSE cluster. See README.md, or ./run.sh --help.
#
#   ./run.sh [--nodes N] [--no-demo]        N nodes (default 3) on HTTP 8080+i / HTTPS 8443+i, demo feed
#   ./run.sh --postgres [...]               also ingest from PostgreSQL (POSTGRES_URL, default
#                                           postgresql://postgres@127.0.0.1:5432/postgres), starting an embedded
#                                           one with the products demo when that is local and nothing answers
#   ./run.sh node --http-port P --https-port Q [OPTIONS]   one more node, joining the running cluster
#   ./run.sh publish NS DATA [--event E]    publish once through the cluster and leave
#   ./run.sh bench [OPTIONS]                benchmark (own ports and cluster); ./run.sh bench --help, BENCHMARKS.md
#
# Builds the jar first when it is missing or older than the sources. Extra JVM flags: JAVA_OPTS (after
# the nodes' own -XX:CompileThresholdScaling=0.25, so they can override it).
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
JAR="$ROOT/target/sse-cluster.jar"
LOG_DIR="$ROOT/logs"
# Hazelcast asks for these on JDK 17+; without them it logs a warning and runs slower.
JVM_OPENS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens java.management/sun.management=ALL-UNNAMED \
--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"

usage() {
  sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
  echo
  echo "Node options (also accepted by ./run.sh and passed to every node):"
  java -jar "$JAR" --help | sed -n '/^options/,$p' | tail -n +2
}

build_if_needed() {
  if [[ ! -f "$JAR" ]] || [[ -n "$(find src pom.xml -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
    echo "Building $JAR (mvn package -DskipTests) ..."
    mvn -q -B -DskipTests package || { echo "Build failed; see the Maven output above." >&2; exit 1; }
  fi
}

# Nodes compile after a quarter of the JIT's default call counts: code that runs only a few times a second
# (Hazelcast's periodic work, a publish path at low rates) reaches the optimizing compiler within minutes
# instead of costing compiler time long after start (a cluster of two: about 10% less CPU; BENCHMARKS.md).
# The bench's nodes get the same (ssecluster.bench.BenchOptions); JAVA_OPTS comes after it and wins.
NODE_JVM="-XX:CompileThresholdScaling=0.25"

# The java command line; arguments are JVM flags put before JAVA_OPTS.
java_cmd() {
  # shellcheck disable=SC2086
  echo java "$@" ${JAVA_OPTS:-} $JVM_OPENS -jar "$JAR"
}

# Prints the HTTP status of GET /health on a port, or nothing (pure bash: no curl needed).
health_status() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || true
    echo "$line" | awk '{print $2}'
  ) 2>/dev/null
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PIDS=()          # nodes
SERVICE_PIDS=()  # the embedded Redis and PostgreSQL, stopped after the nodes so they do not see them vanish while they leave
cleanup() {
  trap - INT TERM EXIT
  local count=$((${#PIDS[@]} + ${#SERVICE_PIDS[@]}))
  if [[ $count -gt 0 ]]; then
    echo
    echo "Stopping $count process(es) ..."
    stop_processes ${PIDS[@]+"${PIDS[@]}"}
    stop_processes ${SERVICE_PIDS[@]+"${SERVICE_PIDS[@]}"}
    wait 2>/dev/null || true
    echo "All stopped."
  fi
}

# SIGTERM, up to 20 s to finish, then SIGKILL.
stop_processes() {
  [[ $# -gt 0 ]] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.2
  done
  kill -KILL "$@" 2>/dev/null || true
}

# Starts an embedded, real redis-server (log: logs/redis.log) when nothing answers at the Redis the nodes
# use (--redis, else REDIS_URL, else redis://127.0.0.1:6379) and that Redis is a plain local one; it is
# added to SERVICE_PIDS, so cleanup stops it after the nodes. Any other Redis (remote, TLS, password) is used as is.
start_redis_if_needed() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379} ingest=true
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --redis) url=${2:-$url}; shift ;;
      --redis=*) url=${1#--redis=} ;;
      --redis-ingest) [[ "${2:-}" == false ]] && ingest=false ;;
      --redis-ingest=false) ingest=false ;;
    esac
    shift
  done
  [[ $ingest == true ]] || return 0
  local hostport=${url#*://}
  hostport=${hostport%%/*}; hostport=${hostport%%\?*}
  local host=${hostport%:*} port=6379
  [[ "$hostport" == *:* ]] && port=${hostport##*:}
  if [[ "$url" != redis://* || "$hostport" == *@* || ! "$host" =~ ^(127\.0\.0\.1|localhost)$ || ! "$port" =~ ^[0-9]+$ ]]; then
    echo "Redis: the nodes use the configured Redis (no embedded one started)"
    return 0
  fi
  if port_in_use "$port"; then
    echo "Redis: using the Redis that answers on 127.0.0.1:$port"
    return 0
  fi
  # In a session of its own: a Ctrl-C in the terminal reaches the whole foreground process group, and the
  # redis-server child would die at once, under the nodes' feet; cleanup stops it after the nodes.
  local detach=()
  command -v setsid > /dev/null && detach=(setsid)
  ${detach[@]+"${detach[@]}"} $(java_cmd) redis --port "$port" > "$LOG_DIR/redis.log" 2>&1 &
  local pid=$!
  SERVICE_PIDS+=("$pid")
  echo "Started an embedded redis-server on 127.0.0.1:$port (pid $pid), log: logs/redis.log"
  for _ in $(seq 1 60); do
    if port_in_use "$port"; then
      echo "  try: redis-cli -p $port PUBLISH pets.dogs Corgi"
      echo "       redis-cli -p $port XADD sse:ingest '*' ns pets.dogs event new-dog data Corgi"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "The embedded Redis did not start (see logs/redis.log); the nodes run without Redis and keep retrying" >&2
}

# The PostgreSQL the nodes use with --postgres: --postgres-url, else POSTGRES_URL, else the local default.
postgres_url() {
  local url=${POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --postgres-url) url=${2:-$url}; shift ;;
      --postgres-url=*) url=${1#--postgres-url=} ;;
    esac
    shift
  done
  echo "$url"
}

# Starts an embedded, real PostgreSQL (log: logs/postgres.log) with the products demo when nothing answers at
# the given URL and it is the local superuser's default database without a password (what the embedded one
# serves); it is added to SERVICE_PIDS, so cleanup stops it after the nodes. Any other PostgreSQL is used as is.
start_postgres_if_needed() {
  local url=$1 channel=${POSTGRES_CHANNEL:-sse}
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --postgres-channel) channel=${2:-$channel}; shift ;;
      --postgres-channel=*) channel=${1#--postgres-channel=} ;;
    esac
    shift
  done
  if [[ ! "$url" =~ ^postgres(ql)?://postgres@(127\.0\.0\.1|localhost)(:([0-9]+))?/postgres$ ]]; then
    echo "PostgreSQL: the nodes use the configured PostgreSQL (no embedded one started)"
    return 0
  fi
  local port=${BASH_REMATCH[4]:-5432}
  if port_in_use "$port"; then
    echo "PostgreSQL: using the PostgreSQL that answers on 127.0.0.1:$port (the products demo is not created there)"
    return 0
  fi
  # In a session of its own, as Redis: cleanup stops it after the nodes.
  local detach=()
  command -v setsid > /dev/null && detach=(setsid)
  ${detach[@]+"${detach[@]}"} $(java_cmd) postgres --port "$port" --channel "$channel" > "$LOG_DIR/postgres.log" 2>&1 &
  local pid=$!
  SERVICE_PIDS+=("$pid")
  echo "Starting an embedded PostgreSQL on 127.0.0.1:$port (pid $pid), log: logs/postgres.log ..."
  for _ in $(seq 1 240); do
    if grep -q "^Embedded PostgreSQL ready" "$LOG_DIR/postgres.log" 2>/dev/null; then
      echo "  with the products demo (a trigger NOTIFYs each change to products.<id>); try:"
      grep "^  try: " "$LOG_DIR/postgres.log" | sed 's/^  try: /       /'
      echo "       psql -h 127.0.0.1 -p $port -U postgres -c \"INSERT INTO sse_outbox (ns, event, data) VALUES ('products.1', 'note', 'hello')\""
      command -v psql > /dev/null || echo "       (psql is not installed here: apt-get install postgresql-client, or any PostgreSQL client)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "The embedded PostgreSQL did not start (see logs/postgres.log); the nodes run without it and keep retrying" >&2
}

run_cluster() {
  local nodes=3 demo=1 postgres=0 extra=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) nodes=${2:?--nodes needs a number}; shift 2 ;;
      --nodes=*) nodes=${1#--nodes=}; shift ;;
      --no-demo) demo=0; shift ;;
      --postgres) postgres=1; shift ;;
      *) extra+=("$1"); shift ;;
    esac
  done
  [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || { echo "--nodes takes a positive number" >&2; exit 2; }
  for ((i = 0; i < nodes; i++)); do
    for port in $((8080 + i)) $((8443 + i)); do
      if port_in_use "$port"; then
        echo "Port $port is already in use (another ./run.sh?). Stop it first." >&2
        exit 1
      fi
    done
  done

  mkdir -p "$LOG_DIR"
  # A signal stops everything and ends the script (a trap alone would return into the watch loop below, which
  # would then report every node it just stopped as exited). 128 + the signal number, as a shell reports it.
  trap 'cleanup; exit 130' INT
  trap 'cleanup; exit 143' TERM
  trap cleanup EXIT
  # Redis and PostgreSQL first, so the nodes find them at once instead of after a reconnect backoff.
  start_redis_if_needed ${extra[@]+"${extra[@]}"}
  if [[ $postgres -eq 1 ]]; then
    local pg_url
    pg_url=$(postgres_url ${extra[@]+"${extra[@]}"})
    start_postgres_if_needed "$pg_url" ${extra[@]+"${extra[@]}"}
    extra+=(--postgres-url "$pg_url")
  fi
  local node_pids=()
  for ((i = 0; i < nodes; i++)); do
    local args=(node --http-port $((8080 + i)) --https-port $((8443 + i)) --node-name "node-$i")
    [[ $demo -eq 1 && $i -eq 0 ]] && args+=(--demo)
    # shellcheck disable=SC2046
    $(java_cmd $NODE_JVM) "${args[@]}" ${extra[@]+"${extra[@]}"} > "$LOG_DIR/node-$i.log" 2>&1 &
    PIDS+=($!)
    node_pids+=($!)
    echo "Started node-$i (pid $!), log: logs/node-$i.log"
  done

  echo "Waiting for the nodes to join the cluster ..."
  for ((i = 0; i < nodes; i++)); do
    local port=$((8080 + i)) ok=0
    for _ in $(seq 1 240); do
      if [[ "$(health_status "$port")" == "200" ]]; then ok=1; break; fi
      if ! kill -0 "${node_pids[$i]}" 2>/dev/null; then break; fi
      sleep 0.25
    done
    if [[ $ok -ne 1 ]]; then
      echo "node-$i did not come up; last lines of logs/node-$i.log:" >&2
      tail -n 20 "$LOG_DIR/node-$i.log" >&2
      exit 1
    fi
  done

  echo
  echo "Cluster of $nodes node(s) is up."
  for ((i = 0; i < nodes; i++)); do
    echo "  node-$i  http://localhost:$((8080 + i))/   https://localhost:$((8443 + i))/   (self-signed)"
  done
  echo
  echo "Try:"
  if [[ $postgres -eq 1 ]]; then
    echo "  open     https://localhost:8443/?ns=time,pets,products"
  else
    echo "  open     https://localhost:8443/?ns=time,pets"
  fi
  echo "  admin    http://localhost:8080/admin/   (the whole cluster, live; this machine only)"
  echo "  curl -N  http://localhost:$((8080 + (nodes > 1 ? 1 : 0)))/subscribe/"
  echo "  curl -X POST --data-binary 'Corgi' 'http://localhost:8080/publish/pets/dogs?event=new-dog'"
  echo "  ./run.sh publish pets.dogs 'Corgi' --event new-dog"
  echo
  echo "Ctrl-C stops everything."
  # A node that dies is reported once; the others keep serving (that is the point of a cluster).
  # When no node is left, there is nothing to watch: stop what remains (Redis, PostgreSQL) and exit.
  local reported=()
  while true; do
    local alive=0
    for ((i = 0; i < nodes; i++)); do
      if kill -0 "${node_pids[$i]}" 2>/dev/null; then
        alive=$((alive + 1))
      elif [[ -z "${reported[$i]:-}" ]]; then
        reported[$i]=1
        echo "node-$i exited (see logs/node-$i.log); the other nodes keep serving." >&2
      fi
    done
    if [[ $alive -eq 0 ]]; then
      echo "No node is left running." >&2
      exit 1
    fi
    sleep 1
  done
}

main() {
  case "${1:-}" in
    -h|--help|help) build_if_needed; usage ;;
    node) shift; build_if_needed; exec $(java_cmd $NODE_JVM) node "$@" ;;
    publish) shift; build_if_needed; exec $(java_cmd) publish "$@" ;;
    bench)
      shift; build_if_needed
      # Thousands of sockets per process: the bench and the servers it starts inherit this limit.
      ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
      # Parallel GC: G1's concurrent refinement took ~18% of the bench's CPU, taken from the servers it measures.
      # shellcheck disable=SC2086
      exec java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseParallelGC} $JVM_OPENS -cp "$JAR" ssecluster.bench.Bench "$@" ;;
    *) build_if_needed; run_cluster "$@" ;;
  esac
}

main "$@"
