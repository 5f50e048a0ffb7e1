import { CHECK_EVERY, checkpoint } from './kernel-util.js';
import { sourceAt, sourceCount, type Graph, type SourceSet } from './types.js';
import type { KernelOptions } from './betweenness.js';

/** Sources per batch: one bit of a 32-bit mask each (fewer, `lanes`, only for measurements). */
const LANES = 32;

/**
 * Above this many customers the one-source kernel is the default: the batch's path counts and dependencies take
 * 2 × 32 doubles per customer (512 bytes), and once they leave the caches the per-(arc, search) work costs what the
 * batching saves. Measured single-thread CPU time, batched / one-source (BENCHMARKS.md): ego-Facebook (4,039
 * customers, degree 44) 0.24, BA n=2,000 m=5 0.62, BA n=10,000 m=5 0.97–1.08.
 */
export const BATCHED_MAX_N = 16_384;

/**
 * Unweighted Brandes (2001) for up to 32 sources at once, the breadth-first searches run together as one
 * multi-source BFS (Then et al., *The more the merrier: efficient multi-source graph traversal*, PVLDB 8(4), 2014; its
 * betweenness use: Then, Günnemann, Kemper, Neumann, *Efficient batched distance and centrality computation in
 * unweighted and weighted graphs*, BTW 2017). Customer v carries a 32-bit mask `seen[v]` of the batch's searches that
 * reached it; a level of the batch is the list of (customer, mask) pairs first reached at that depth by the searches
 * in the mask. Expanding a pair scans the customer's out-arcs once for all its searches: w gets the bits
 * `mask & ~seen[w]`, and for each of those bits b the path count σ_b(w) += σ_b(v). An arc is scanned once per
 * (customer, level) pair instead of once per search: on small-world graphs a customer is first reached at only a few
 * distinct depths by 32 sources. The dependency pass walks the levels back over the DAG arcs u -> w (u one level
 * above w for the same bits): coef_b(w) = (1 + δ_b(w)) / σ_b(w), δ_b(u) = σ_b(u)·Σ coef_b(w). Both passes choose per
 * level between pushing over the out-arcs of one level and pulling over the in-arcs of the other, whichever scans
 * fewer arcs (direction-optimising, Beamer, Asanović, Patterson 2012). Same sums as the one-source kernel, in another
 * order (equal to networkx up to rounding).
 *
 * Per-(customer, search) values live at v·32 + b (σ, then coef in the same slot; the dependency sums in `acc`).
 */
export function batchedKernel(graph: Graph, sources: SourceSet, bc: Float64Array, opts: KernelOptions, lanes = LANES): void {
  const { n, outOffsets, outTargets, inOffsets, inSources } = graph;
  const sq = opts.squares ?? null;
  const seen = new Int32Array(n);
  const next = new Int32Array(n);
  const touched = new Int32Array(n);
  const front = new Int32Array(n);
  const open = new Int32Array(n);
  const sigma = new Float64Array(n * lanes);
  const acc = new Float64Array(n * lanes);
  const levelStart = new Int32Array(n + 2);
  let cap = 4 * n + lanes;
  let node = new Int32Array(cap);
  let mask = new Int32Array(cap);
  const total = sourceCount(sources, n);
  let lastCheck = -CHECK_EVERY;
  for (let k0 = 0; k0 < total; k0 += lanes) {
    if (k0 - lastCheck >= CHECK_EVERY) {
      checkpoint(opts, opts.onProgress, k0, total, 'betweenness');
      lastCheck = k0;
    }
    const width = Math.min(lanes, total - k0);
    let len = 0;
    for (let b = 0; b < width; b++) {
      const s = sourceAt(sources, k0 + b);
      node[len] = s;
      mask[len++] = 1 << b;
      seen[s] |= 1 << b;
      sigma[s * lanes + b] = 1;
    }
    levelStart[0] = 0;
    levelStart[1] = len;
    let depth = 0;
    const full = width === 32 ? -1 : (1 << width) - 1;
    // Direction-optimising (Beamer, Asanović, Patterson 2012), per level: push from the level's pairs over their
    // out-arcs, or pull into the customers some search has not reached yet over their in-arcs, whichever scans
    // fewer arcs. `open` lists those customers (built at the first pull level); openIn = their in-arcs.
    let frontierOut = 0;
    for (let i = 0; i < len; i++) frontierOut += outOffsets[node[i] + 1] - outOffsets[node[i]];
    let openIn = graph.m;
    let openCount = -1;
    // Forward: level `depth` -> depth + 1.
    while (levelStart[depth + 1] > levelStart[depth]) {
      const lo = levelStart[depth];
      const hi = levelStart[depth + 1];
      let nt = 0;
      if (frontierOut <= openIn) {
        for (let i = lo; i < hi; i++) {
          const u = node[i];
          const f = mask[i];
          const su = u * lanes;
          const end = outOffsets[u + 1];
          for (let a = outOffsets[u]; a < end; a++) {
            const w = outTargets[a];
            const nb = f & ~seen[w];
            if (nb === 0) continue;
            if (next[w] === 0) touched[nt++] = w;
            next[w] |= nb;
            const sw = w * lanes;
            let t = nb;
            do {
              const low = t & -t;
              const b = 31 - Math.clz32(low);
              sigma[sw + b] += sigma[su + b];
              t ^= low;
            } while (t !== 0);
          }
        }
      } else {
        for (let i = lo; i < hi; i++) front[node[i]] |= mask[i];
        if (openCount < 0) {
          openCount = 0;
          for (let w = 0; w < n; w++) if (seen[w] !== full) open[openCount++] = w;
        }
        let keep = 0;
        for (let j = 0; j < openCount; j++) {
          const w = open[j];
          const sw0 = seen[w];
          if (sw0 === full) continue;
          const sw = w * lanes;
          let nb = 0;
          const end = inOffsets[w + 1];
          for (let q = inOffsets[w]; q < end; q++) {
            const u = inSources[q];
            let t = front[u] & ~sw0;
            if (t === 0) continue;
            nb |= t;
            const su = u * lanes;
            do {
              const low = t & -t;
              const b = 31 - Math.clz32(low);
              sigma[sw + b] += sigma[su + b];
              t ^= low;
            } while (t !== 0);
          }
          if (nb !== 0) {
            touched[nt++] = w;
            next[w] = nb;
          }
          if ((sw0 | nb) !== full) open[keep++] = w;
        }
        openCount = keep;
        for (let i = lo; i < hi; i++) front[node[i]] = 0;
      }
      if (len + nt > cap) {
        cap = Math.max(2 * cap, len + nt);
        const nn = new Int32Array(cap);
        nn.set(node.subarray(0, len));
        node = nn;
        const nm = new Int32Array(cap);
        nm.set(mask.subarray(0, len));
        mask = nm;
      }
      frontierOut = 0;
      for (let j = 0; j < nt; j++) {
        const w = touched[j];
        const bits = next[w];
        next[w] = 0;
        const sw = seen[w] | bits;
        seen[w] = sw;
        if (sw === full) openIn -= inOffsets[w + 1] - inOffsets[w];
        frontierOut += outOffsets[w + 1] - outOffsets[w];
        node[len] = w;
        mask[len++] = bits;
      }
      depth++;
      levelStart[depth + 1] = len;
    }
    // Backward: levels depth-1 .. 1. First the level's coefficients coef_b(w) = 1/σ_b(w) + acc_b(w) (into σ's slot;
    // δ_b(w) = σ_b(w)·acc_b(w) goes to bc), then acc_b(u) += coef_b(w) over the DAG arcs u -> w into the level above:
    // pulled over the level's in-arcs or pushed over the level above's out-arcs, whichever scans fewer arcs.
    for (let d = depth - 1; d >= 1; d--) {
      const pLo = levelStart[d - 1];
      const pHi = levelStart[d];
      const lo = pHi;
      const hi = levelStart[d + 1];
      let pullCost = 0;
      for (let i = lo; i < hi; i++) {
        const w = node[i];
        pullCost += inOffsets[w + 1] - inOffsets[w];
        const sw = w * lanes;
        let dsum = 0;
        let dsq = 0;
        let t = mask[i];
        do {
          const low = t & -t;
          const idx = sw + 31 - Math.clz32(low);
          const a = acc[idx];
          const s = sigma[idx];
          const dl = s * a;
          dsum += dl;
          dsq += dl * dl;
          sigma[idx] = 1 / s + a;
          acc[idx] = 0;
          t ^= low;
        } while (t !== 0);
        bc[w] += dsum;
        if (sq) sq[w] += dsq;
      }
      let pushCost = 0;
      for (let i = pLo; i < pHi; i++) pushCost += outOffsets[node[i] + 1] - outOffsets[node[i]];
      if (pullCost <= pushCost) {
        for (let i = pLo; i < pHi; i++) front[node[i]] |= mask[i];
        for (let i = lo; i < hi; i++) {
          const w = node[i];
          const mw = mask[i];
          const sw = w * lanes;
          const end = inOffsets[w + 1];
          for (let q = inOffsets[w]; q < end; q++) {
            const u = inSources[q];
            let t = mw & front[u];
            if (t === 0) continue;
            const su = u * lanes;
            do {
              const low = t & -t;
              const b = 31 - Math.clz32(low);
              acc[su + b] += sigma[sw + b];
              t ^= low;
            } while (t !== 0);
          }
        }
        for (let i = pLo; i < pHi; i++) front[node[i]] = 0;
      } else {
        for (let i = lo; i < hi; i++) front[node[i]] = mask[i];
        for (let i = pLo; i < pHi; i++) {
          const u = node[i];
          const mu = mask[i];
          const su = u * lanes;
          const end = outOffsets[u + 1];
          for (let a = outOffsets[u]; a < end; a++) {
            const w = outTargets[a];
            let t = mu & front[w];
            if (t === 0) continue;
            const sw = w * lanes;
            do {
              const low = t & -t;
              const b = 31 - Math.clz32(low);
              acc[su + b] += sigma[sw + b];
              t ^= low;
            } while (t !== 0);
          }
        }
        for (let i = lo; i < hi; i++) front[node[i]] = 0;
      }
      for (let i = lo; i < hi; i++) {
        const sw = node[i] * lanes;
        let t = mask[i];
        do {
          const low = t & -t;
          sigma[sw + 31 - Math.clz32(low)] = 0;
          t ^= low;
        } while (t !== 0);
      }
    }
    // Levels >= 1 were zeroed as they were walked back; what is left is the sources' slots (level 0) and `seen`.
    for (let i = 0; i < levelStart[1]; i++) {
      const idx = node[i] * lanes + 31 - Math.clz32(mask[i]);
      sigma[idx] = 0;
      acc[idx] = 0;
    }
    for (let i = 0; i < len; i++) seen[node[i]] = 0;
  }
  if (total > 0) opts.onProgress?.(total, total);
}
