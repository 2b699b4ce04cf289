#!/usr/bin/env bash
# Runs the whole test suite (installs LAPACKE/OpenBLAS first when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test "$@"
