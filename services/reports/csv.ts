/**
 * CSV as RFC 4180 has it (fields quoted when they hold a comma, a quote or a line break; quotes doubled; CRLF
 * between records), with cells that a spreadsheet would run as a formula neutralised: OWASP's "CSV Injection"
 * guidance prefixes a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return with a single quote.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRecord(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
