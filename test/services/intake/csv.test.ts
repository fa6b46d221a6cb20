import { describe, expect, it } from 'vitest';
import { decodeCsv, parseCsvRecords, readIntuneCsv } from '../../../services/intake/csv.js';
import { IntakeError } from '../../../services/intake/intake-error.js';

describe('CSV parsing', () => {
  it('handles escaped quotes, commas and newlines inside quotes, CRLF and blank lines, with the right line numbers', () => {
    const records = parseCsvRecords('a,"b ""quoted"", c"\r\n\r\n"multi\nline",x\nlast,');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b "quoted", c'] },
      { line: 3, fields: ['multi\nline', 'x'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });

  it('decodes UTF-16 BE with its BOM', () => {
    const le = Buffer.from('Hé,llo', 'utf16le');
    const be = Buffer.from(le.map((_, i) => le[i % 2 === 0 ? i + 1 : i - 1] ?? 0));
    expect(decodeCsv(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('Hé,llo');
  });

  it('marks a row with the wrong number of fields instead of guessing', () => {
    const rows = readIntuneCsv(
      Buffer.from('Device Serial Number,Windows Product ID,Hardware Hash\nA,,h\nB,,h,extra\n'),
    );
    expect(rows[0]?.problem).toBeUndefined();
    expect(rows[1]).toMatchObject({ line: 3, serialNumber: 'B', problem: 'expected 3 fields, found 4' });
  });

  it('refuses a header in another case, naming the expected one', () => {
    expect(() =>
      readIntuneCsv(Buffer.from('device serial number,windows product id,hardware hash\nA,,h')),
    ).toThrow(IntakeError);
    expect(() =>
      readIntuneCsv(Buffer.from('device serial number,windows product id,hardware hash\nA,,h')),
    ).toThrow(/Device Serial Number,Windows Product ID,Hardware Hash/);
  });
});
