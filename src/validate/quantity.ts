/** Kubernetes resource quantities ("1500m", "2", "7901Mi", "8Gi", "1e3") as numbers, for capacity checks. */
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) throw new Error(`not a Kubernetes quantity: "${q}"`);
  return Number(m[1]) * SUFFIX[m[2] ?? '']!;
}

export const cpuMillis = (q: string | undefined): number => (q ? Math.round(parseQuantity(q) * 1000) : 0);
export const bytes = (q: string | undefined): number => (q ? Math.round(parseQuantity(q)) : 0);
export const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
