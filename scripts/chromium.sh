#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser test (sidecar/ui): Debian's
# `chromium` package, installed with apt-get when no Chromium is on PATH.
# The test skips, saying why, when it still cannot find one (and fails when
# CI=true).
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null && exit 0
done
echo "installing chromium with apt-get"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
