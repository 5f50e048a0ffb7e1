/**
 * The CPU time of a local Neo4j server process (/proc/PID/stat: user + system), so a benchmark on a shared machine can
 * report what the server spent, which other processes do not enter. The pid comes from NEO4J_PID, else the record of
 * the server `npm run neo4j:start` runs (NEO4J_LOCAL_DIR, else .neo4j, `server.json`); null when neither is there (a
 * remote server: no server CPU figures).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function neo4jServerPid(repoRoot: string, env: NodeJS.ProcessEnv = process.env): number | null {
  if (env.NEO4J_PID) return Number(env.NEO4J_PID);
  const dir = env.NEO4J_LOCAL_DIR || path.join(repoRoot, '.neo4j');
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'server.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

/** User + system CPU of process `pid` in ms (Linux clock ticks of 10 ms); NaN without a pid or /proc. */
export function processCpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
