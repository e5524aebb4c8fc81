/**
 * Loads the shipment history for the forecast: data/history.json by default, or a user's CSV/JSON file.
 */
import { extname } from 'node:path';
import { HistoryFileSchema, type History, parseHistoryCsv, parseHistoryJson } from '../../models/growth/history.ts';
import { LIMITS } from '../../models/limits.ts';
import { loadData } from '../data.ts';
import { InputError } from '../errors.ts';
import { parseJsonInput, readTextInput } from '../io.ts';

/**
 * Reads and validates a history.
 * @param file a user's `.csv` or `.json` file, or undefined for data/history.json
 * @returns the validated history
 * @throws {InputError} when the file cannot be read, is larger than data/limits.json historyBytes, is not JSON, or has an
 *   unknown extension
 * @throws {ValidationError} listing every problem by file and row
 */
export async function loadHistory(file: string | undefined): Promise<History> {
  if (file === undefined) return defaultHistory();
  const ext = extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') throw new InputError(`history file ${file}: expected a .csv or .json file`);
  const text = await readTextInput(file, 'history file', LIMITS.historyBytes);
  return ext === '.csv' ? parseHistoryCsv(text, file) : parseHistoryJson(parseJsonInput(text, file), file);
}

/**
 * Reads data/history.json, the history when the user gives none.
 * @returns the validated history
 * @throws {InputError} when the file is missing or not JSON
 * @throws {ValidationError} listing every problem
 */
export function defaultHistory(): History {
  const value = loadData('history.json', HistoryFileSchema);
  return { ...parseHistoryJson(value, 'data/history.json'), source: 'data/history.json' };
}

