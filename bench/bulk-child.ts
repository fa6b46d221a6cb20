/** One bulk run (bench/bulk-import.ts) in a process of its own: `bulk-child.ts <devices> <timeScale>`. */
import { bulkImport } from './bulk-import.js';

const [devices, timeScale] = process.argv.slice(2).map(Number);
try {
  const value = await bulkImport(devices ?? 0, timeScale ?? 1);
  process.send?.({ ok: true, value });
} catch (error) {
  process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) });
}
process.disconnect?.();
