#!/usr/bin/env bash
# agentstore sandbox image: `connect-distributed.sh <worker.properties>` as in the Kafka distribution.
set -euo pipefail
: "${KAFKA_HEAP_OPTS:=-Xms256M -Xmx2G}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/connect-log4j2.yaml}"
export KAFKA_HEAP_OPTS KAFKA_LOG4J_OPTS
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.connect.cli.ConnectDistributed "$@"
