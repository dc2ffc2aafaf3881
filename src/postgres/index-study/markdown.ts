import type { Estimate } from '../../util/bootstrap.ts';

/** The report's Markdown cells, shared by report.ts and report-cases.ts. */
export const kib = (b: number): string =>
  b >= 10 * 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
export const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
export const est = (e: Estimate, d = 2): string => `${e.value.toFixed(d)} [${e.lo.toFixed(d)}, ${e.hi.toFixed(d)}]`;
export const x = (e: Estimate): string => `${est(e)}x`;
