#!/usr/bin/env bash
# Installs the threatcode CLI for the action, unless THREATCODE_CLI names one already (tests, self-hosted runners).
set -euo pipefail
if [ -n "${THREATCODE_CLI:-}" ]; then
  echo "Using $THREATCODE_CLI"
  exit 0
fi
npm install --global --no-audit --no-fund "threatcode@${INPUT_VERSION:-latest}"
threatcode --version
