/**
 * One device, one key: serials are compared as Intune compares them, case-insensitively, with surrounding
 * space dropped and runs of inner space made one (a VMware serial holds spaces). The store keeps one open job
 * per key, and the registration check matches Graph's answers by the same key.
 */
export function serialKey(serialNumber: string): string {
  return serialNumber.trim().replace(/\s+/g, ' ').toUpperCase();
}
