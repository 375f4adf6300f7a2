#!/usr/bin/env bash
# Set up (first time only) and open the dashboard with the China vs Japan comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run dashboard/app.py \
    --server.address "${SIM_ADDRESS:-127.0.0.1}" --server.port "${SIM_PORT:-8501}" \
    --server.headless "${SIM_HEADLESS:-false}" --server.maxUploadSize 1 --browser.gatherUsageStats false "$@"
