#!/usr/bin/env bash
# Installs what Autodiff needs on a Debian machine when it is missing:
# LAPACKE (liblapacke-dev), a CBLAS (OpenBLAS) and SLEEF (libsleef-dev, the vectorised
# libm of the elementwise kernels). Safe to run repeatedly.
set -euo pipefail
need=()
[ -f /usr/include/lapacke.h ] || need+=(liblapacke-dev)
if [ ! -f /usr/include/x86_64-linux-gnu/cblas.h ] && [ ! -f /usr/include/cblas.h ] \
   && [ ! -f /usr/include/aarch64-linux-gnu/cblas.h ]; then
  need+=(libopenblas-dev)
fi
pkg-config --exists lapacke 2>/dev/null || [ -f /usr/lib/x86_64-linux-gnu/liblapacke.so ] || need+=(liblapacke-dev)
ls /usr/lib/*/libopenblas.so >/dev/null 2>&1 || need+=(libopenblas-dev)
if ! pkg-config --exists sleef 2>/dev/null && ! ls /usr/include/*/sleef.h /usr/include/sleef.h >/dev/null 2>&1; then
  need+=(libsleef-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${need[*]} (Debian packages)..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
