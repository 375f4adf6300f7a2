#!/usr/bin/env bash
# Create .venv with Python 3.12+ and install the project with its test extras (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    for c in python3.12 python3.13 python3; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | sort -rV); do
            p="$(pyenv root)/versions/$v/bin/python3"
            [ -x "$p" ] && { echo "$p"; return 0; }
        done
    fi
    return 1
}

if [ ! -x .venv/bin/python ]; then
    PY="$(find_python)" || { echo "error: Python 3.12 or newer is needed (install it, e.g. 'pyenv install 3.12')" >&2; exit 1; }
    "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    touch "$stamp"
fi
# Compile the engine's numba kernels into the on-disk cache now, so that the first run after set-up takes
# seconds instead of compiling for half a minute; when they are already compiled for these sources this
# check takes milliseconds (a stamp keyed by a hash of sim/model/**/*.py, see scripts/warm_kernels.py).
.venv/bin/python scripts/warm_kernels.py
# Byte-compile the project's own modules too (pip did it for the installed packages, not for this editable
# install): the first run then imports them instead of compiling their sources, even when the environment
# sets PYTHONDONTWRITEBYTECODE (which stops Python writing them, not reading them). Quiet, and about a
# second; afterwards only changed files are compiled again.
.venv/bin/python -m compileall -q -j 0 sim dashboard >/dev/null
