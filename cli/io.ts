/**
 * File effects of the CLI: reading inputs with clear errors, and writing outputs atomically (temp name, then
 * rename) so that a failure or Ctrl-C never leaves a half-written file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../models/errors.ts';
import { jsonErrorLocation, jsonErrorReason } from '../models/json-syntax.ts';
import { formatBytes, LIMITS } from '../models/limits.ts';
import { InputError } from './errors.ts';

/** Why a file cannot be read, in words: `no such file`, `is a directory`, else the errno code. */
function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : code;
}

function defaultLimit(path: string): number {
  return /\.ya?ml$/i.test(path) ? LIMITS.yamlBytes : LIMITS.inputBytes;
}

/**
 * Checks a file's size against a limit before it is read, so an oversized input fails at once, before any parsing.
 * @param path file path
 * @param what what the file is for, used in the message
 * @param maxBytes the largest size accepted, bytes
 * @throws {InputError} naming the file, its size and the limit (data/limits.json), or why it cannot be read
 */
export async function checkInputSize(path: string, what: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${readFailure(err)}`);
  }
  if (size > maxBytes) {
    throw new InputError(`${what} ${path} is ${formatBytes(size)} (${size} bytes), over the limit of ${formatBytes(maxBytes)} for this input (data/limits.json)`);
  }
}

/**
 * Reads a text file, turning "not found" and friends into an {@link InputError} that names the file. The size is
 * checked first, so an oversized file is refused without being read or parsed.
 * @param path file path
 * @param what what the file is for, used in the message (e.g. "history file")
 * @param maxBytes the largest size accepted, bytes (default data/limits.json `yamlBytes` for a `.yaml`/`.yml` file,
 *   whose parser is slow, else `inputBytes`)
 * @returns the file's text (UTF-8, without a byte-order mark: spreadsheet tools write one)
 * @throws {InputError} when the file cannot be read or is larger than `maxBytes`
 */
export async function readTextInput(path: string, what: string, maxBytes: number = defaultLimit(path)): Promise<string> {
  await checkInputSize(path, what, maxBytes);
  try {
    const text = await readFile(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${readFailure(err)}`);
  }
}

/**
 * Refuses YAML text larger than data/limits.json `yamlBytes` before parsing it (the YAML parser takes about a
 * second per MiB).
 * @param text the text
 * @param path file name for the message
 * @throws {InputError} naming the file, its size and the limit
 */
export function checkYamlSize(text: string, path: string): void {
  const size = Buffer.byteLength(text);
  if (size > LIMITS.yamlBytes) {
    throw new InputError(`${path} is ${formatBytes(size)} (${size} bytes), over the limit of ${formatBytes(LIMITS.yamlBytes)} for YAML input (data/limits.json yamlBytes)`);
  }
}

/**
 * Parses JSON text, reporting the file and the line of a syntax error.
 * @param text JSON text
 * @param path file name for the message
 * @returns the parsed value
 * @throws {InputError} on a syntax error
 */
export function parseJsonInput(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(jsonSyntaxMessage(text, path, (err as Error).message));
  }
}

/**
 * The message for a JSON syntax error: `file:line: not valid JSON (reason, column C)`. The line comes from scanning
 * the text, since Node 20's JSON.parse names no position for most errors.
 * @param text the text JSON.parse refused
 * @param path file name
 * @param message JSON.parse's message
 * @returns one line naming the file, line, column and reason
 */
export function jsonSyntaxMessage(text: string, path: string, message: string): string {
  const at = jsonErrorLocation(text);
  return `${path}${at ? `:${at.line}` : ''}: not valid JSON (${jsonErrorReason(message)}${at ? `, column ${at.column}` : ''})`;
}

/**
 * Parses YAML (or JSON) text, naming the file of a syntax error.
 * @param text YAML text
 * @param path file name for the message
 * @returns the parsed value
 * @throws {ValidationError} on a syntax error
 * @throws {InputError} when the text is larger than data/limits.json `yamlBytes`
 */
export function parseYamlInput(text: string, path: string): unknown {
  checkYamlSize(text, path);
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new ValidationError(`${path} is invalid`, [{ where: path, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
}

/**
 * A temp name beside a file, for writing it before it is complete (the writer renames it; cleaned up on failure).
 * @param path the target file
 * @returns `<path>.tmp-<pid>-<random>`
 */
export function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes a whole file atomically: to a temp name in the same directory, then renamed over the target.
 * @param path target file; its directory is created when missing
 * @param data file contents
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A stream to a temp file that becomes `path` only on {@link AtomicFileStream.commit}. */
export interface AtomicFileStream {
  /** The writable stream (to the temp file). */
  stream: WriteStream;
  /** Closes the stream and renames the temp file to the target. */
  commit(): Promise<void>;
  /** Closes the stream and deletes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/**
 * Opens a write stream whose file appears under its final name only when committed.
 * @param path target file; its directory is created when missing
 * @returns the stream with commit/abort
 */
export async function openAtomicStream(path: string): Promise<AtomicFileStream> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  const stream = createWriteStream(tmp);
  const closed = (): Promise<void> =>
    new Promise((resolve) => {
      if (stream.closed) resolve();
      else stream.end(() => resolve());
    });
  return {
    stream,
    async commit() {
      await closed();
      await rename(tmp, path);
    },
    async abort() {
      stream.destroy();
      await rm(tmp, { force: true });
    },
  };
}
