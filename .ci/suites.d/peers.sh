#!/usr/bin/env bash
# Ripple beside its peers (issue 20): networkx, NDlib, CyNetDiff and igraph from PyPI in a scratch virtual environment
# (never a dependency of Ripple) and graphology-metrics, on karate and a seeded BA n=300 graph (bench/peers.ts
# --smoke): IC/LT means within 4 standard errors, PageRank/betweenness/closeness within 1e-7 of the top score.
# Exits 1 when a peer's answer differs. dist/ is built by npm test. About a minute with the install.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh
command -v python3 >/dev/null || apt_install python3
python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
ci_venv peers $(node -e "import('./dist/bench/peers.js').then((m) => console.log(m.PIP_PACKAGES.join(' ')))")
node dist/bench/peers.js --smoke --python "$CI_VENV/bin/python"
