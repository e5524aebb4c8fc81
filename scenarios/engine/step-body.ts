/**
 * Bodies of steps that send the user's files: `body: {file}` sends the file's bytes (Content-Type from the step's
 * headers, else application/octet-stream), `multipart` a multipart/form-data body of form fields (templates) and
 * file parts (multipart.ts). The files' bytes come from the CLI ({@link SpecFiles}); a body no template varies is
 * built once per step and the same bytes are sent by every request.
 */
import { defaultFilename, type SpecFiles } from '../spec-files.ts';
import type { Step } from '../spec.ts';
import { boundaryFits, buildMultipart, multipartBoundary, multipartContentType, type MultipartPart } from './multipart.ts';
import { compileString, type TemplateScope, TemplateError } from './template.ts';

/** A compiled file or multipart body. */
export interface StepBody {
  /** Renders the body (the same Buffer every time when nothing in it is a template). */
  body(scope: TemplateScope): Buffer;
  /** Its Content-Type when the step's headers do not set one. */
  contentType: string;
  /** Whether the runner's Content-Type replaces any the step's headers set (multipart: the boundary is the runner's). */
  forced: boolean;
}

/** Content type of a file body whose step sets none. */
export const DEFAULT_FILE_CONTENT_TYPE = 'application/octet-stream';

function blobOf(files: SpecFiles | undefined, file: string): Buffer {
  const b = files?.blobs[file];
  if (b === undefined) throw new Error(`the file "${file}" a step sends was not read (the CLI hands every file a spec names to the engine)`);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Compiles a step's file or multipart body.
 * @param step the validated step (with `body: {file}` or `multipart`)
 * @param key the step's key (`<flow>#<index>`), for its boundary
 * @param files the files' contents
 * @param seed the run's seed, for the boundary
 * @returns the body, or undefined when the step has neither
 * @throws {Error} when a file's contents were not handed in
 */
export function compileStepBody(step: Step, key: string, files: SpecFiles | undefined, seed: number): StepBody | undefined {
  if (typeof step.body === 'object') {
    const data = blobOf(files, step.body.file);
    return { body: () => data, contentType: DEFAULT_FILE_CONTENT_TYPE, forced: false };
  }
  if (step.multipart === undefined) return undefined;
  const fields: ({ name: string; text: (s: TemplateScope) => string } | MultipartPart)[] = [];
  let templated = false;
  for (const [name, v] of Object.entries(step.multipart)) {
    if (typeof v === 'string') {
      if (v.includes('{{')) { templated = true; fields.push({ name, text: compileString(v) }); } else fields.push({ name, text: v });
    } else {
      fields.push({ name, data: blobOf(files, v.file), filename: v.filename ?? defaultFilename(v.file), contentType: v.contentType ?? DEFAULT_FILE_CONTENT_TYPE });
    }
  }
  const fixed = fields.filter((f): f is MultipartPart => !('text' in f && typeof f.text === 'function'));
  let k = 0;
  while (!boundaryFits(fixed, multipartBoundary(seed, key, k))) k++;
  const boundary = multipartBoundary(seed, key, k);
  const contentType = multipartContentType(boundary);
  if (!templated) {
    const bytes = buildMultipart(fixed, boundary);
    return { body: () => bytes, contentType, forced: true };
  }
  return {
    body: (scope) => {
      const parts = fields.map((f): MultipartPart => ('text' in f && typeof f.text === 'function' ? { name: f.name, text: f.text(scope) } : f as MultipartPart));
      // A rendered value holding the boundary would cut its part short: fail the iteration rather than send that.
      if (!boundaryFits(parts, boundary)) throw new TemplateError(`a multipart field of step ${key} renders text holding the body's boundary`);
      return buildMultipart(parts, boundary);
    },
    contentType,
    forced: true,
  };
}
