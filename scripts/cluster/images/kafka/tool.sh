#!/usr/bin/env bash
# agentstore sandbox image: one of Kafka's command-line tools, by the name of its script in the distribution.
set -euo pipefail
case "$(basename "$0")" in
  kafka-storage.sh) main=kafka.tools.StorageTool ;;
  kafka-topics.sh) main=org.apache.kafka.tools.TopicCommand ;;
  kafka-cluster.sh) main=org.apache.kafka.tools.ClusterTool ;;
  kafka-broker-api-versions.sh) main=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  kafka-console-producer.sh) main=org.apache.kafka.tools.ConsoleProducer ;;
  kafka-console-consumer.sh) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  *) echo "unknown tool $0" >&2; exit 1 ;;
esac
exec /opt/kafka/bin/kafka-run-class.sh "$main" "$@"
