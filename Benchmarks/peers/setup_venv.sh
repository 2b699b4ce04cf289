#!/usr/bin/env bash
# Creates Benchmarks/.venv with PyTorch and JAX (CPU) for peers.py, unless they are already there.
# Usage: bash Benchmarks/peers/setup_venv.sh        (idempotent; prints the python path on success)
# torch comes from PyTorch's CPU wheel index when it is reachable (PyPI's default Linux wheel
# pulls several GB of CUDA runtime wheels; pip's configured find-links are used as well);
# numpy and jax from PyPI (`jax` alone installs the CPU jaxlib). To reuse an existing
# environment: AUTODIFF_PEERS_VENV=/path/to/venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AUTODIFF_PEERS_VENV:-$(dirname "$here")/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup_venv: creating $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
py="$venv/bin/python"

if ! "$py" -c "import torch" 2>/dev/null; then
    echo "setup_venv: installing torch (CPU wheel)" >&2
    "$py" -m pip install --quiet torch --extra-index-url https://download.pytorch.org/whl/cpu
fi
need=()
"$py" -c "import numpy" 2>/dev/null || need+=(numpy)
"$py" -c "import jax, jaxlib" 2>/dev/null || need+=(jax)
if [ "${#need[@]}" -gt 0 ]; then
    echo "setup_venv: installing ${need[*]} from PyPI (this can take several minutes)" >&2
    "$py" -m pip install --quiet "${need[@]}"
fi
"$py" -c "import torch, jax, numpy; print('torch', torch.__version__, '| jax', jax.__version__, '| numpy', numpy.__version__)" >&2
echo "$py"
