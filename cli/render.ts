/** Text output of the CLI: a progress bar and result tables. */
import type { JobView } from './client.js';

export const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired']);

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} finished`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function jobsTable(jobs: JobView[]): string {
  return table([
    ['SERIAL', 'STATUS', 'OUTCOME', 'ERROR'],
    ...jobs.map((j) => [
      j.serialNumber,
      j.status,
      j.outcome ?? '',
      j.error ? `${j.error.code} ${j.error.name}: ${j.error.advice}` : '',
    ]),
  ]);
}
