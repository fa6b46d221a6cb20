import { describe, expect, it } from 'vitest';
import { csvCell, csvRecord } from '../../../services/reports/csv.js';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+31 20 123', "'+31 20 123"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
  ])('writes %j as %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it('ends a record with CRLF', () => {
    expect(csvRecord(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });
});
