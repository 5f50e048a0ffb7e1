#!/usr/bin/env bash
# The model catalogue against NDlib (issue 15): NDlib 6.0.1 from PyPI in a scratch virtual environment (never a
# dependency of Ripple), every model's mean compartment curves on karate and lesmis (../shared/data), Ripple vs
# NDlib within 4 standard errors, or the semantic difference named (bench/ndlib-compare.ts). dist/ is built by
# npm test. Prints "N passed, N failed"; exits 1 on an unnamed difference. About 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh
command -v python3 >/dev/null || apt_install python3
python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
# NDlib 6.0.1 imports six and scikit-learn without declaring them.
ci_venv ndlib 'ndlib==6.0.1' six scikit-learn
NDLIB_PYTHON="$CI_VENV/bin/python" node dist/bench/ndlib-compare.js --check
