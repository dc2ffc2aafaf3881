#!/usr/bin/env bash
# agentstore sandbox image (not the official apache/kafka image): runs one Kafka class on the jars in
# /opt/kafka/libs, honouring the environment the official image's scripts honour (KAFKA_HEAP_OPTS,
# KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_GC_LOG_OPTS, KAFKA_JMX_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS, LOG_DIR).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <main class> [args...]" >&2; exit 1; }
base=/opt/kafka
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${LOG_DIR:=$base/logs}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$base/config/tools-log4j2.yaml}"
# Word splitting of the option variables is intended: each holds several JVM flags.
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_GC_LOG_OPTS:-} ${KAFKA_JMX_OPTS:-} \
  -Dkafka.logs.dir="$LOG_DIR" $KAFKA_LOG4J_OPTS -cp "$base/libs/*${CLASSPATH:+:$CLASSPATH}" ${KAFKA_OPTS:-} "$@"
