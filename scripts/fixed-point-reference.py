#!/usr/bin/env python3
"""Tightly converged reference values of the power-iteration centralities on three public graphs, for
test/centrality-fixed-point.test.ts (issue 19: "centralities at their fixed point").

Run from the repository root, in a scratch venv (the tests themselves need no python):

    python3 -m venv .venvs/nx && .venvs/nx/bin/pip install networkx scipy numpy
    .venvs/nx/bin/python scripts/fixed-point-reference.py

networkx 3.6.1, scipy and numpy from PyPI were used. Graphs (read from ../shared/data, or $RIPPLE_SHARED_DATA, self-loops dropped and
duplicates merged as Ripple reads them):
  ego-facebook  facebook_combined.txt  undirected, 4,039 customers
  wiki-vote     Wiki-Vote.txt          directed,   7,115 customers
  ca-HepTh      CA-HepTh.txt           undirected, 9,877 customers

Each value is computed by a direct method, not by the power iteration under test, and checked against a second one:
  pagerank     (alpha 0.85, dangling mass uniform): the fixed point is proportional to y = (I - alpha Pᵀ)⁻¹ 1
               (the dangling term only rescales it), solved with SuperLU; checked against networkx's own pagerank
               run to tol=1e-15 (its stop rule L1 change < n·tol) and max_iter=100000 (within 1e-8 relative), and its
               L1 residual |F(x) - x| must be below 1e-15.
  eigenvector  the eigenvector of Aᵀ for its largest eigenvalue by ARPACK (scipy eigs, tol=0 = machine precision; what
               networkx.eigenvector_centrality_numpy does, which refuses disconnected graphs), the eigenvalue checked simple,
               unit norm, positive; checked against the
               shifted power iteration x' = (A + I)ᵀx / ||·|| run until the L1 change is < 1e-15.
  hub/authority  scipy svds (ARPACK, tol=0) of A, normalised to sum 1; checked against the power iteration.
  katz         alpha 0.005 (below 1/λmax on the three graphs, checked), beta 1: (I - alpha Aᵀ) x = 1 by SuperLU, unit
               Euclidean norm, as networkx.katz_centrality normalises.
The fixtures also hold networkx's answers at its defaults (pagerank, eigenvector_centrality, katz_centrality with
alpha 0.005), the early stop that Ripple's `convergence: "networkx"` must reproduce.

Values are written with 11 significant digits; files gzip-compressed, ids in the order the graph file names them.
"""
import gzip
import json
import os
import sys

import networkx as nx
import numpy as np
import scipy as sp
import scipy.sparse.linalg as sla

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get('RIPPLE_SHARED_DATA') or os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'centrality', 'fixed-point')
KATZ_ALPHA = 0.005

GRAPHS = [
    ('ego-facebook', 'ego-facebook/facebook_combined.txt', False),
    ('wiki-vote', 'wiki-vote/Wiki-Vote.txt', True),
    ('ca-HepTh', 'ca-HepTh/CA-HepTh.txt', False),
]


def read(path, directed):
    G = nx.DiGraph() if directed else nx.Graph()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            u, v = line.split()[:2]
            G.add_node(u)
            G.add_node(v)
            if u != v and not G.has_edge(u, v):
                G.add_edge(u, v)
    return G


def rel(a, b, floor=1e-9):
    m = np.maximum(np.abs(a), np.abs(b)) > floor
    return float(np.max(np.abs(a[m] - b[m]) / np.abs(b[m]))) if m.any() else 0.0


def pagerank_direct(A, alpha=0.85):
    n = A.shape[0]
    out = np.asarray(A.sum(axis=1)).ravel()
    inv = np.where(out > 0, 1.0 / np.where(out > 0, out, 1), 0.0)
    P = sp.sparse.diags(inv) @ A
    M = (sp.sparse.identity(n, format='csc') - alpha * P.T).tocsc()
    y = sla.spsolve(M, np.ones(n))
    return y / y.sum()


def power(step, x, tol=1e-15, max_iter=200000):
    for it in range(max_iter):
        nxt = step(x)
        err = np.abs(nxt - x).sum()
        x = nxt
        if err < tol:
            return x, it + 1
    raise RuntimeError('reference power iteration did not converge')


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, rel_path, directed in GRAPHS:
        path = os.path.join(DATA, rel_path)
        G = read(path, directed)
        nodes = list(G)
        n = len(nodes)
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, dtype=float, format='csr')
        doc = {'generator': f'scripts/fixed-point-reference.py with networkx {nx.__version__}, scipy {sp.__version__}, numpy {np.__version__}',
               'graph': rel_path, 'directed': directed, 'customers': n, 'katzAlpha': KATZ_ALPHA, 'ids': nodes, 'converged': {}, 'networkx': {}}

        pr = pagerank_direct(A)
        pr_nx = nx.pagerank(G, tol=1e-15, max_iter=100000)
        pr_nx = np.array([pr_nx[v] for v in nodes])
        assert rel(pr, pr_nx) < 1e-8, f'{name}: pagerank direct vs networkx tight {rel(pr, pr_nx)}'
        dangling = np.asarray(A.sum(axis=1)).ravel() == 0
        outdeg = np.maximum(np.asarray(A.sum(axis=1)).ravel(), 1)
        resid = np.abs(0.85 * (A.T @ (pr / outdeg) + pr[dangling].sum() / n) + 0.15 / n - pr).sum()
        assert resid < 1e-15, f'{name}: pagerank residual {resid}'
        doc['converged']['pagerank'] = pr

        AT = A.T.tocsr()
        vals, vecs = sla.eigs(AT, k=2, which='LR', tol=0)
        top = int(np.argmax(vals.real))
        assert vals.real[top] - vals.real[1 - top] > 1e-3, f'{name}: dominant eigenvalue not simple: {vals}'
        ev = vecs[:, top].real
        ev = ev * np.sign(ev.sum())
        ev[np.abs(ev) < 1e-300] = 0.0
        ev = ev / np.linalg.norm(ev)
        ev_p, it = power(lambda x: (lambda y: y / np.linalg.norm(y))(AT @ x + x), np.full(n, 1.0 / n))
        assert rel(ev, ev_p) < 1e-7, f'{name}: eigenvector ARPACK vs power {rel(ev, ev_p)}'
        doc['converged']['eigenvector'] = ev

        u, s, vt = sla.svds(A, k=1, tol=0)
        hub = np.abs(u[:, 0]) / np.abs(u[:, 0]).sum()
        auth = np.abs(vt[0]) / np.abs(vt[0]).sum()

        def hits_step(h):
            a = A.T @ h
            a = a / a.max()
            h2 = A @ a
            return h2 / h2.max()
        h_p, _ = power(hits_step, np.full(n, 1.0 / n))
        h_p = h_p / h_p.sum()
        assert rel(hub, h_p) < 1e-7, f'{name}: hub svds vs power {rel(hub, h_p)}'
        doc['converged']['hub'] = hub
        doc['converged']['authority'] = auth

        lam = abs(sla.eigs(AT.astype(float), k=1, which='LM', return_eigenvectors=False, tol=0)[0])
        assert KATZ_ALPHA * lam < 0.95, f'{name}: katz alpha {KATZ_ALPHA} too close to 1/lambda_max ({1 / lam})'
        kz = sla.spsolve((sp.sparse.identity(n, format='csc') - KATZ_ALPHA * AT).tocsc(), np.ones(n))
        doc['converged']['katz'] = kz / np.linalg.norm(kz)
        doc['lambdaMax'] = float(lam)

        # networkx at its defaults: the early stop `convergence: "networkx"` reproduces
        d = nx.pagerank(G)
        doc['networkx']['pagerank'] = np.array([d[v] for v in nodes])
        d = nx.eigenvector_centrality(G)
        doc['networkx']['eigenvector'] = np.array([d[v] for v in nodes])
        d = nx.katz_centrality(G, alpha=KATZ_ALPHA)
        doc['networkx']['katz'] = np.array([d[v] for v in nodes])

        for part in ('converged', 'networkx'):
            for k, x in doc[part].items():
                doc[part][k] = [float(f'{v:.11g}') for v in x]
        pr_gap = rel(np.array(doc['networkx']['pagerank']), np.array(doc['converged']['pagerank']))
        ev_gap = rel(np.array(doc['networkx']['eigenvector']), np.array(doc['converged']['eigenvector']))
        with gzip.open(os.path.join(OUT, f'{name}.json.gz'), 'wt', compresslevel=9) as f:
            json.dump(doc, f, separators=(',', ':'))
        print(f'{name}: {n} customers; lambda_max {lam:.4f}; networkx-default vs converged: pagerank {pr_gap:.3g}, '
              f'eigenvector {ev_gap:.3g} (max relative error); eigenvector power iterations to 1e-15: {it}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
