#!/usr/bin/env bash
# Set up (first time only) and open the dashboard with the China vs Japan comparison.
# SIM_ADDRESS=0.0.0.0 serves other machines too (on purpose: the app otherwise refuses a non-local address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${SIM_ADDRESS:-127.0.0.1}" != "127.0.0.1" ] && [ "${SIM_ADDRESS:-}" != "localhost" ]; then
    export SIM_DASHBOARD_ALLOW_REMOTE=1
fi
exec .venv/bin/python -m streamlit run dashboard/app.py \
    --server.address "${SIM_ADDRESS:-127.0.0.1}" --server.port "${SIM_PORT:-8501}" \
    --server.headless "${SIM_HEADLESS:-false}" --server.maxUploadSize 1 --browser.gatherUsageStats false "$@"
