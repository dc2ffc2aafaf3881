#!/usr/bin/env bash
# agentstore sandbox: STAND-IN for the scylladb/scylla image, running Apache Cassandra 5 (no ScyllaDB server can
# be had here). It takes the command line the chart gives ScyllaDB's entrypoint: the flags Cassandra has an
# equivalent for become cassandra.yaml settings, ScyllaDB-only flags are accepted and ignored (each logged).
# The REST endpoints the chart's probes call are served on --api-address:10000 (ScyllaApiStandin.java).
set -euo pipefail
seeds="" rpc=0.0.0.0 broadcast_rpc="" listen="" api=127.0.0.1 memory=""
authenticator=AllowAllAuthenticator authorizer=AllowAllAuthorizer
for arg in "$@"; do
  case "$arg" in
    --seeds=*) seeds=${arg#*=} ;;
    --listen-address=*) listen=${arg#*=} ;;
    --rpc-address=*) rpc=${arg#*=} ;;
    --broadcast-rpc-address=*) broadcast_rpc=${arg#*=} ;;
    --api-address=*) api=${arg#*=} ;;
    --memory=*) memory=${arg#*=} ;;
    --authenticator=*) authenticator=${arg#*=} ;;
    --authorizer=*) authorizer=${arg#*=} ;;
    --smp=* | --developer-mode=* | --overprovisioned=* | --reserve-memory=* | --reactor-backend=* | \
      --disable-version-check | --prometheus-address=* | --maintenance-socket=* | --cpuset=* | --io-setup=*)
      echo "scylla stand-in: ignoring ScyllaDB-only flag $arg" ;;
    *) echo "scylla stand-in: ignoring unknown flag $arg" ;;
  esac
done
# ScyllaDB listens on the address its hostname resolves to (the pod IP) unless told otherwise.
[ -n "$listen" ] || listen=$(getent hosts "$(hostname)" | awk '{ print $1; exit }')
[ -n "$broadcast_rpc" ] || broadcast_rpc=$listen
[ -n "$seeds" ] || seeds=$listen
# Heap: half of --memory (ScyllaDB's own memory budget) when given, else 1 GiB.
heap=1024
if [ -n "$memory" ]; then
  case "$memory" in
    *[Gg]) heap=$(( ${memory%?} * 512 )) ;;
    *[Mm]) heap=$(( ${memory%?} / 2 )) ;;
    *) heap=$(( memory / 2 / 1048576 )) ;;
  esac
fi
data=/var/lib/scylla
mkdir -p "$data"/{data,commitlog,hints,saved_caches,cdc_raw}
conf=$(mktemp -d)
sed -e "s|@LISTEN@|$listen|g" -e "s|@RPC@|$rpc|g" -e "s|@BROADCAST_RPC@|$broadcast_rpc|g" \
  -e "s|@SEEDS@|$seeds|g" -e "s|@AUTHENTICATOR@|$authenticator|g" -e "s|@AUTHORIZER@|$authorizer|g" \
  /opt/cassandra/conf/cassandra.yaml.template > "$conf/cassandra.yaml"
echo "scylla stand-in: Apache Cassandra $(cat /opt/cassandra/VERSION), listen $listen, rpc $rpc (broadcast $broadcast_rpc), seeds $seeds, heap ${heap}M, REST API $api:10000"
mapfile -t jvm < /opt/cassandra/conf/jvm.options
export MALLOC_ARENA_MAX=4
exec java "-Xms${heap}M" "-Xmx${heap}M" "${jvm[@]}" \
  -Dcassandra.config="file://$conf/cassandra.yaml" -Dstandin.api.address="$api" \
  -cp "/opt/cassandra/standin:/opt/cassandra/lib/*" ScyllaApiStandin
