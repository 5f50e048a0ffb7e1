#!/usr/bin/env python3
"""The claims of simulations/README.md's KKT sections, computed from a study's cells.csv (stdlib only).

    python3 scripts/kkt-summary.py simulations/results/kkt-2003/cells.csv
"""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
models = list(dict.fromkeys(r['model_label'] for r in rows))
strategies = list(dict.fromkeys(r['strategy'] for r in rows))
greedy, degree, distance, random = strategies
cell = {(r['model_label'], r['strategy'], int(r['k'])): r for r in rows}
ks = sorted({int(r['k']) for r in rows})
f = lambda r, c: float(r[c])
for m in models:
    above = {s: sum(1 for k in ks if f(cell[m, greedy, k], 'reach_ci_lo') > f(cell[m, s, k], 'reach_ci_hi')) for s in (degree, distance)}
    below = {s: sum(1 for k in ks if f(cell[m, greedy, k], 'reach_ci_hi') < f(cell[m, s, k], 'reach_ci_lo')) for s in (degree, distance)}
    g30 = f(cell[m, greedy, ks[-1]], 'reach_mean')
    out = [f'{m}: greedy CI above {degree} for {above[degree]}/{len(ks)} k (below for {below[degree]}), above {distance} for {above[distance]}/{len(ks)} (below {below[distance]})']
    for s in (degree, distance):
        out.append(f'  k={ks[-1]}: greedy {g30:.1f} vs {s} {f(cell[m, s, ks[-1]], "reach_mean"):.1f} ({100 * (g30 / f(cell[m, s, ks[-1]], "reach_mean") - 1):+.1f}%)')
    for k in [k for k in (1, 10, ks[-1]) if k in ks]:
        r = cell[m, random, k]
        g = f(cell[m, greedy, k], 'reach_mean')
        out.append(f'  random k={k}: {f(r, "reach_mean"):.1f} [{f(r, "reach_ci_lo"):.1f}, {f(r, "reach_ci_hi"):.1f}] over {r["draws"]} draws = {100 * f(r, "reach_mean") / g:.0f}% of greedy ({g:.1f})')
    print('\n'.join(out))
