#!/usr/bin/env bash
# The S3-compatible server the local services and the backup tests run: moto's server (PyPI moto[server],
# pinned), in a virtualenv at .tools/moto. SeaweedFS was the first choice (issue 15): its module cannot be
# `go install`ed (its go.mod has replace directives) and a build from the module source did not finish in
# 15 minutes on the shared 2-core machine, so it is not used (docs/backup.md).
# Idempotent: a venv whose moto reports the pin is kept.
set -euo pipefail

MOTO_VERSION=5.2.5
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.tools/moto"
if [ -x "$venv/bin/moto_server" ] && [ "$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" = "$MOTO_VERSION" ]; then
  echo "s3 server: moto $MOTO_VERSION (already in .tools/moto)"
  exit 0
fi
command -v python3 >/dev/null || { echo "error: python3 not found (needed for the local S3 server, moto)" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
echo "s3 server: moto $MOTO_VERSION -> .tools/moto"
