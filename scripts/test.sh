#!/usr/bin/env bash
# Runs the whole test suite (installs LAPACKE/OpenBLAS/SLEEF first when missing), then the exit
# tests of misuse messages again against a release build: Swift's `precondition` prints
# nothing under -O, so the messages users see must be proven in release (every suite named
# *MisuseMessages*; see Sources/AutodiffCore/Core/Failure.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test "$@"
swift test -c release --filter MisuseMessages
