/** Printing a benchmark's table and writing its JSON under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = join('bench', 'results');

export function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0] ?? {});
  const width = (k: string) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(keys.map((k) => k.padEnd(width(k)))),
    line(keys.map((k) => '-'.repeat(width(k)))),
    ...rows.map((r) => line(keys.map((k) => String(r[k]).padEnd(width(k))))),
  ].join('\n');
}

export function writeResult(name: string, result: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ at: new Date().toISOString(), ...(result as object) }, null, 2)}\n`,
  );
  return path;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
