/** One bulk run (bench/bulk-import.ts) in a process of its own: `bulk-child.ts <devices> <timeScale>`. */
import { bulkImport } from './bulk-import.js';

const [devices, timeScale] = process.argv.slice(2).map(Number);
const result = await bulkImport(devices ?? 0, timeScale ?? 1).then(
  (value) => ({ ok: true, value }),
  (error: unknown) => ({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
);
// The channel closes once the result is on its way; the process then ends by itself.
process.send?.(result, () => process.disconnect?.());
