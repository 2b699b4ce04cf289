#!/usr/bin/env bash
# Runs the tour of the seed tutorials' examples (installs LAPACKE/OpenBLAS/SLEEF first when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift run autodiff-tour "$@"
