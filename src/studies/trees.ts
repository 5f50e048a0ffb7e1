import { ParseError } from '../errors.js';
import { hashString } from '../diffusion/rng.js';

/**
 * Retweet propagation trees (Twitter15/16, Ma, Gao & Wong ACL 2017), parsed into user-level trees (pure: text in,
 * trees out). One file per source tweet; one line per edge:
 * `['parent_uid', 'parent_tweet_id', 'parent_delay_min']->['child_uid', 'child_tweet_id', 'child_delay_min']`,
 * normally first `['ROOT', 'ROOT', '0.0']->[source user, source tweet, '0.0']`.
 *
 * Users repeat (a user who retweets twice, replies then retweets) and there are small "retweet circles", so the tree
 * is built by user: the edges are taken in order of the child's delay (ties: file order), and a user joins the tree
 * at its first edge whose parent user is already in it (an edge whose parent has not joined yet waits until it has);
 * a user's time is that edge's child delay. Users that never join (their parent never does) are counted as `dropped`.
 * The root is the child of the ROOT line; without one, the parent of the first edge.
 */

export interface RetweetTree {
  /** Source tweet id (the file name). */
  id: string;
  root: string;
  /** Users in the order they joined (the root first). */
  users: string[];
  /** Index (into users) of each user's parent; -1 for the root. */
  parent: Int32Array;
  /** Generation: 0 for the root, 1 for its children, … */
  depth: Int32Array;
  /** Minutes after the source tweet at which each user joined (the root: 0). */
  time: Float64Array;
  /** Users in the tree (the root included). */
  size: number;
  /** Largest generation (0 for a root alone). */
  height: number;
  /** Distinct users named in the file (ROOT excluded). */
  listed: number;
  /** Listed users that never joined the tree. */
  dropped: number;
  /** Edge lines in the file (ROOT lines included). */
  lines: number;
}

/** One side of an edge, a Python list literal of three strings; `g` = the number of the side's first group. */
const side = (g: number) => `\\[\\s*(['"])(.*?)\\${g}\\s*,\\s*(['"])(.*?)\\${g + 2}\\s*,\\s*(['"])(.*?)\\${g + 4}\\s*\\]`;
const LINE = new RegExp(`^${side(1)}\\s*->\\s*${side(7)}$`);

interface Edge {
  parent: string;
  child: string;
  delay: number;
  line: number;
}

/** Parse one tree file. `source` names it in errors (`twitter15/tree/123.txt`). */
export function parseRetweetTree(text: string, id: string, source: string): RetweetTree {
  const edges: Edge[] = [];
  let root: string | null = null;
  let lines = 0;
  const listedUsers = new Set<string>();
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === '') continue;
    lines++;
    const m = LINE.exec(row);
    if (!m) throw new ParseError(source, i + 1, `an edge is "['uid', 'tweet', 'delay']->['uid', 'tweet', 'delay']": got ${JSON.stringify(row.slice(0, 80))}`);
    const parent = m[2];
    const child = m[8];
    const delay = Number(m[12]);
    if (!Number.isFinite(delay)) throw new ParseError(source, i + 1, `the child's delay ${JSON.stringify(m[12].slice(0, 40))} is not a number (minutes)`);
    if (child === 'ROOT') throw new ParseError(source, i + 1, 'ROOT can only be a parent');
    if (parent === 'ROOT') {
      if (root === null) root = child;
      listedUsers.add(child);
      continue;
    }
    listedUsers.add(parent);
    listedUsers.add(child);
    edges.push({ parent, child, delay, line: i });
  }
  if (root === null) {
    if (edges.length === 0) throw new ParseError(source, undefined, 'no edges: an empty tree file');
    root = edges[0].parent;
  }
  edges.sort((a, b) => a.delay - b.delay || a.line - b.line);
  const index = new Map<string, number>([[root, 0]]);
  const users = [root];
  const parent = [-1];
  const depth = [0];
  const time = [0];
  const pending = new Map<string, Edge[]>();
  const stack: Edge[] = [];
  for (const e of edges) {
    if (!index.has(e.parent)) {
      const w = pending.get(e.parent);
      if (w) w.push(e);
      else pending.set(e.parent, [e]);
      continue;
    }
    stack.push(e);
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (index.has(x.child)) continue;
      const p = index.get(x.parent)!;
      index.set(x.child, users.length);
      users.push(x.child);
      parent.push(p);
      depth.push(depth[p] + 1);
      time.push(x.delay);
      const waiting = pending.get(x.child);
      if (waiting) {
        pending.delete(x.child);
        // Reverse so that they are taken in their (delay, line) order from the stack.
        for (let k = waiting.length - 1; k >= 0; k--) stack.push(waiting[k]);
      }
    }
  }
  let height = 0;
  for (const d of depth) if (d > height) height = d;
  return {
    id, root, users, parent: Int32Array.from(parent), depth: Int32Array.from(depth), time: Float64Array.from(time),
    size: users.length, height, listed: listedUsers.size, dropped: listedUsers.size - users.length, lines,
  };
}

/** `label:source_tweet_id` lines (Twitter15/16 label.txt) as a map from tweet id to label. */
export function parseLabels(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === '') continue;
    const at = row.indexOf(':');
    if (at <= 0 || at === row.length - 1) throw new ParseError(source, i + 1, `a label line is "label:source_tweet_id": got ${JSON.stringify(row.slice(0, 80))}`);
    out.set(row.slice(at + 1).trim(), row.slice(0, at).trim());
  }
  return out;
}

export type SplitName = 'train' | 'validation' | 'test';

/**
 * The split of a source tweet: a hash of its id with the study seed, uniform in [0, 1): below `train` → train, below
 * `train + validation` → validation, else test. It depends on the id alone (not on file order, nor on which other
 * trees are present), so a tweet that is in both Twitter15 and Twitter16 lands in the same split in both.
 */
export function splitOf(id: string, seed: number, train: number, validation: number): SplitName {
  const u = hashString(id, seed) / 4294967296;
  return u < train ? 'train' : u < train + validation ? 'validation' : 'test';
}

/** Per generation class c = min(depth, classes − 1): how many nodes had k children (k = 0, 1, …). */
export interface OffspringCounts {
  /** counts[c] is a map k -> number of nodes of class c with k children. */
  counts: Map<number, number>[];
  trees: number;
}

/** Offspring counts of the trees' nodes, generations pooled from `classes − 1` on. */
export function offspringCounts(trees: readonly RetweetTree[], classes: number): OffspringCounts {
  const counts = Array.from({ length: classes }, () => new Map<number, number>());
  for (const t of trees) {
    const kids = new Int32Array(t.size);
    for (let v = 1; v < t.size; v++) kids[t.parent[v]]++;
    for (let v = 0; v < t.size; v++) {
      const c = Math.min(t.depth[v], classes - 1);
      counts[c].set(kids[v], (counts[c].get(kids[v]) ?? 0) + 1);
    }
  }
  return { counts, trees: trees.length };
}

/** Hop delays (minutes from the parent's time to the child's), each with the child's generation. */
export function hopDelays(trees: readonly RetweetTree[]): { delay: number; generation: number }[] {
  const out: { delay: number; generation: number }[] = [];
  for (const t of trees) for (let v = 1; v < t.size; v++) out.push({ delay: t.time[v] - t.time[t.parent[v]], generation: t.depth[v] });
  return out;
}

/** Time by which 90% of the tree's users (the root at 0 included) had joined. */
export function timeTo90(times: ArrayLike<number>, n = times.length): number {
  const s = Float64Array.from({ length: n }, (_, i) => times[i]).sort();
  return s[Math.max(0, Math.ceil(0.9 * n) - 1)];
}
