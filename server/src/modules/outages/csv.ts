import { CsvError, parse, type Info } from 'csv-parse/sync';

const OPTIONS = {
  bom: true,
  // Line ends are made LF first (below): csv-parse then counts lines right inside quoted fields too.
  record_delimiter: '\n',
  // Rows keep their own field count (the caller reports a short or long row); a quote inside an
  // unquoted field is a character, as it was before the file came here.
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
  info: true,
} as const;

/** With `info: true` each record comes as `{ record, info }`; csv-parse's types do not follow that option. */
const read = (text: string) => parse(text, OPTIONS) as unknown as { record: string[]; info: Info }[];

/**
 * RFC 4180 CSV (csv-parse): comma separated, double-quoted fields may hold commas, quotes ("")
 * and line breaks (given back as LF); CRLF, LF or CR line ends, mixed as editors leave them; a BOM
 * at the start is ignored. Returns rows with their 1-based line number (of the row's first line),
 * skipping blank and whitespace-only lines. Never throws: a quote left open runs to the end of the
 * text, so that row is reported by the caller.
 */
export function parseCsv(csv: string): { line: number; fields: string[] }[] {
  const text = csv.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: Info }[];
  try {
    records = read(text);
  } catch (err) {
    if (!(err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED')) throw err;
    records = read(`${text}"`);
  }
  return records
    .filter(({ record }) => record.length > 1 || record[0]!.trim() !== '')
    .map(({ record, info }) => ({
      // csv-parse counts lines up to the row's end; its first line is that less the breaks inside its fields.
      line: info.lines - record.reduce((breaks, field) => breaks + (field.match(/\n/g)?.length ?? 0), 0),
      fields: record,
    }));
}
