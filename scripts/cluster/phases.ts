// Progress of the cluster scripts: one line when a phase starts, one with its time when it ends, and a table of
// all phase times at the end, so runs can be compared (cold against warm, today against last week).

export interface PhaseTime {
  phase: string;
  seconds: number;
  detail: string;
}

const times: PhaseTime[] = [];
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export const say = (msg: string): void => console.log(`[cluster] ${msg}`);

/** Runs one phase; its result's string form (or `detail`) is printed next to its time. */
export async function phase<T>(name: string, run: () => Promise<T>, detail?: (t: T) => string): Promise<T> {
  const t0 = Date.now();
  say(`${name} ...`);
  try {
    const result = await run();
    const d = detail ? detail(result) : typeof result === 'string' ? result : '';
    times.push({ phase: name, seconds: (Date.now() - t0) / 1000, detail: d });
    say(`${name}: done in ${secs(Date.now() - t0)}${d ? `: ${d}` : ''}`);
    return result;
  } catch (err) {
    times.push({ phase: name, seconds: (Date.now() - t0) / 1000, detail: 'FAILED' });
    say(`${name}: FAILED after ${secs(Date.now() - t0)}`);
    throw err;
  }
}

export function phaseTimes(): PhaseTime[] {
  return [...times];
}

export function printPhaseTimes(title: string): void {
  if (times.length === 0) return;
  say(`${title}:`);
  for (const t of times) console.log(`  ${t.phase.padEnd(34)} ${t.seconds.toFixed(1).padStart(7)} s  ${t.detail}`);
}
