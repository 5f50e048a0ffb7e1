#!/usr/bin/env bash
# The Python client (python/, issue 18): pip-installed into a virtual environment from PyPI, type-checked with
# mypy --strict, tested with pytest against a live server that ripple_client.local() starts from this checkout
# (dist/ is built by npm test), then the example study runs to its figure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh
command -v python3 >/dev/null || apt_install python3
python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "ripple-client needs Python 3.10 or later")'
ci_venv python "./python[dev]"
cd python
"$CI_VENV/bin/mypy"
"$CI_VENV/bin/pytest"
out="${TMPDIR:-/tmp}/ripple-answer-timing.png"
"$CI_VENV/bin/python" examples/answer_timing.py --runs 500 --out "$out"
test -s "$out"
