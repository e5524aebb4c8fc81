/**
 * The one CSV reader of caplab's CSV inputs (histories, world series, telemetry, USL points): csv-parse with a BOM
 * allowed, blank lines skipped, cells trimmed, rows of any length (each reader says which are wrong), and each
 * record's line number for messages.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ValidationError } from './errors.ts';

/** One CSV record and the line it ends on. */
export interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Parses CSV text into records.
 * @param text the file's text
 * @param file the file as messages name it
 * @returns the records, header first
 * @throws {ValidationError} `<file> is not valid CSV`, with csv-parse's message, when the text is not CSV
 * @example csvRecords('a,b\n1,2\n', 'f.csv')[1].record // ['1', '2']
 */
export function csvRecords(text: string, file: string): CsvRecord[] {
  try {
    return parseCsv(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as CsvRecord[];
  } catch (err) {
    throw new ValidationError(`${file} is not valid CSV`, [{ where: file, message: (err as Error).message }]);
  }
}
