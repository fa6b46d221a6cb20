/**
 * How a serial number is searched for in Intune. `contains(serialNumber,'…')` is the only filter Intune takes
 * on serials (`eq` answers 400, msgraph-sdk-powershell #1260); a literal holding `-` answers 400 (#2464) and one
 * holding a space matches nothing (VMware serials such as `VMware-56 4d …`). So the service searches on the
 * longest run of the serial without either, and compares the serials it gets back exactly. Pure.
 */

/** Fewer characters than this in the searchable run would match a large part of a tenant. */
export const MIN_SEARCH_RUN = 3;

export function serialSearchTerm(serial: string): string {
  return serial.split(/[-\s]+/).reduce((longest, run) => (run.length > longest.length ? run : longest), '');
}

/** OData string literal: a quote is doubled. */
export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

export function serialFilter(serial: string): string {
  return `contains(serialNumber,${odataString(serialSearchTerm(serial))})`;
}
