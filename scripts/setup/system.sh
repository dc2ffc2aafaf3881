#!/usr/bin/env bash
# Installs the Debian packages the local services and tools need, only if something is missing.
# Idempotent; needs root (or sudo) only when it has something to install.
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v unzip >/dev/null || need+=(unzip)
# Cassandra 5.0 runs on 11 or 17, Kafka 4 on 17+: 17 is the one both accept.
ls /usr/lib/jvm/*17*/bin/java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: missing ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "system packages: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian packages start system-wide servers; ours run in .services/ on other ports instead.
for svc in redis-server postgresql; do $sudo service "$svc" stop >/dev/null 2>&1 || true; done
echo "system packages: installed ${need[*]}"
