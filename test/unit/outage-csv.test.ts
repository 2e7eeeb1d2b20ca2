import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../server/src/modules/outages/csv';

describe('the outage schedule file reader', () => {
  it('reads quoted commas, doubled quotes and line breaks, numbering each row by its first line', () => {
    const rows = parseCsv('\uFEFFref,title\r\nS-1,"检修, 更换开关"\r\n\r\nS-2,"说 ""急"""\nS-3,"第一行\r\n第二行"\rS-4, 末行 ');
    expect(rows).toEqual([
      { line: 1, fields: ['ref', 'title'] },
      { line: 2, fields: ['S-1', '检修, 更换开关'] },
      { line: 4, fields: ['S-2', '说 "急"'] },
      { line: 5, fields: ['S-3', '第一行\n第二行'] },
      { line: 7, fields: ['S-4', ' 末行 '] },
    ]);
  });

  it('skips blank and whitespace-only lines and keeps each row its own field count', () => {
    expect(parseCsv('\n  \na,b,c\n\t\nd\n')).toEqual([
      { line: 3, fields: ['a', 'b', 'c'] },
      { line: 5, fields: ['d'] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('never throws: a quote inside a field is a character, an unclosed quote runs to the end', () => {
    expect(parseCsv('a"b,c')).toEqual([{ line: 1, fields: ['a"b', 'c'] }]);
    expect(parseCsv('h\nS-9,"未闭合\n下一行')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, fields: ['S-9', '未闭合\n下一行'] },
    ]);
    for (const text of ['"', '""x', '"a"b"', ',,"\r', '\uFEFF"\n"\n"']) expect(() => parseCsv(text)).not.toThrow();
  });
});
