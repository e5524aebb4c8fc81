/**
 * File effects of the CLI: reading inputs with clear errors, and writing outputs atomically (temp name, then
 * rename) so that a failure or Ctrl-C never leaves a half-written file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../models/errors.ts';
import { InputError } from './errors.ts';

/**
 * Reads a text file, turning "not found" and friends into an {@link InputError} that names the file.
 * @param path file path
 * @param what what the file is for, used in the message (e.g. "history file")
 * @returns the file's text (UTF-8, without a byte-order mark: spreadsheet tools write one)
 * @throws {InputError} when the file cannot be read
 */
export async function readTextInput(path: string, what: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
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
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError(`${path}${line ? `:${line}` : ''}: not valid JSON (${msg})`);
  }
}

/**
 * Parses YAML (or JSON) text, naming the file of a syntax error.
 * @param text YAML text
 * @param path file name for the message
 * @returns the parsed value
 * @throws {ValidationError} on a syntax error
 */
export function parseYamlInput(text: string, path: string): unknown {
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
