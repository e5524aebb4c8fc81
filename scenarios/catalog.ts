/**
 * The service catalog (`caplab.catalog/v1`, docs/formats.md): the services a campaign plans, whoever runs them.
 * Per service: the requests one use of it makes (a caplab.scenario/v1 flow, inline or a file, or an existing k6
 * script's exec function for `runner: k6`), its demand (requests per active device per day, the mean of a synthetic
 * user's usage field, or a `caplab.demand/v1` file calibrated from telemetry by `caplab demand fit`), an optional
 * local-hour curve, its budgets, and optionally its modeled service time. data/catalog.json is the built-in
 * mobile-cloud API's catalog and takes the same path as a user's.
 *
 * This module validates the document's shape and cross-references (every problem at once, with its path); files it
 * names are read by the CLI and handed back in through {@link resolveCatalog}, which returns the runnable catalog.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { type Problem, ValidationError } from '../models/errors.ts';
import { type Resources, ResourcesSchema } from '../models/capacity/resources/desires.ts';
import { formatPath } from '../models/validation.ts';
import { BudgetSchema } from './budgets.ts';
import { FlowSchema, StepSchema } from './spec.ts';
import { TRANSPORT_OPTIONS, type TransportOptions, transportOptionsOf, withTlsAuthPaths } from './transport-options.ts';

const SERVICE_NAME = /^[a-z][a-z0-9_]*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const Demand = z.union([
  z.strictObject({ perDevicePerDay: z.number().nonnegative() }),
  z.strictObject({ usage: z.enum(['photosPerDay']) }),
  z.strictObject({ observed: z.string().min(1) }),
]);

const K6Ref = z.strictObject({
  script: z.string().min(1),
  exec: z.string().regex(IDENTIFIER, 'not a JavaScript function name').default('default'),
  // Demand counts requests; the wrapper runs uses (calls of exec): this converts one into the other.
  requestsPerUse: z.number().positive().default(1),
});

const Hourly = z.array(z.number().nonnegative()).length(24).refine((w) => w.some((v) => v > 0), 'at least one hour must have a positive weight');

const ServiceSchema = z.strictObject({
  name: z.string().regex(SERVICE_NAME, 'must be lower-case letters, digits and _ (it becomes a metric tag)'),
  about: z.string().optional(),
  flow: z.union([FlowSchema, z.string().min(1)]).optional(),
  k6: K6Ref.optional(),
  /** Run the catalog's prelude before this service's steps (default true). */
  prelude: z.boolean().default(true),
  /**
   * Requests per active device per day (stated, from the users' usage, or observed). A push service (with
   * `resources.connections`) has none: its load is its connections, their heartbeats and its deliveries.
   */
  demand: Demand.optional(),
  /** Local-hour weights of this service's use (any scale), replacing the shared curve of data/load-shape.json. */
  hourly: Hourly.optional(),
  budgets: BudgetSchema.omit({ service: true, dc: true }).optional(),
  /** Modeled service time on an idle node, for a plan before any probe ran. */
  model: z.strictObject({ meanMs: z.number().positive(), cv: z.number().nonnegative() }).optional(),
  /** What one request asks of the hardware: CPU, memory, bytes in and out, bytes stored (the resource plan). */
  resources: ResourcesSchema.optional(),
});

/** Schema of a catalog document as written (flows may still be file paths). */
export const CatalogDocumentSchema = z.strictObject({
  schema: z.literal('caplab.catalog/v1'),
  name: z.string().min(1).optional(),
  about: z.string().optional(),
  /** Steps every VU runs once before its first request of a service (e.g. signing in); `once` is implied. */
  prelude: z.strictObject({ steps: z.array(StepSchema).min(1) }).optional(),
  /** Headers added to the steps of every service that runs the prelude (not to the prelude's), e.g. its token. */
  headers: z.record(z.string(), z.string()).default({}),
  /** k6's option for the runs of these services: accept any TLS certificate (campaign.yaml's value wins). */
  insecureSkipTLSVerify: z.boolean().optional(),
  /**
   * k6's TLS, hosts and connection options for the runs of these services (tlsVersion, tlsCipherSuites, tlsAuth with
   * files relative to the catalog, hosts, userAgent, noConnectionReuse, noVUConnectionReuse, discardResponseBodies).
   */
  ...TRANSPORT_OPTIONS,
  services: z.array(ServiceSchema).min(1),
});

/** A catalog document as written. */
export type CatalogDocument = z.output<typeof CatalogDocumentSchema>;
/** One service as written. */
export type CatalogServiceDocument = CatalogDocument['services'][number];

/** A flow step as written (validated, defaults not filled in: the spec a runner reads says only what the user said). */
export type RawStep = Record<string, unknown> & { tags?: Record<string, string>; headers?: Record<string, string> };

/** One service, ready to plan and run. */
export interface CatalogService {
  /** Service name: the `service` tag of its requests and its key in traffic, plan and reports. */
  name: string;
  /** The flow of one use (prelude and headers applied, every step tagged with the service), absent for k6 services. */
  flow?: { steps: RawStep[] };
  /** The k6 script and exec function (runner k6 only), path resolved, and the HTTP requests one call makes. */
  k6?: { script: string; exec: string; requestsPerUse: number };
  /** Demand as written (`observed` path resolved); absent for a push service, whose load is its connections. */
  demand?: CatalogServiceDocument['demand'];
  /** Local-hour curve override. */
  hourly?: number[];
  /** Budget limits (durations in ms). */
  budgets?: CatalogServiceDocument['budgets'];
  /** Modeled service time. */
  model?: { meanMs: number; cv: number };
  /** What one request asks of the hardware. */
  resources?: Resources;
}

/** A resolved catalog. */
export interface Catalog {
  /** Where it came from (file path, or `campaign.yaml: catalog` when inline). */
  source: string;
  /** Its name. */
  name: string;
  /** Services in catalog order. */
  services: CatalogService[];
  /** k6's `insecureSkipTLSVerify` for the runs of these services, when the catalog sets it. */
  insecureSkipTLSVerify?: boolean;
  /** k6's transport options for the runs of these services (tlsAuth files resolved, not read), when the catalog sets any. */
  options?: TransportOptions;
}

/** What the CLI read for the catalog's file references. */
export interface CatalogFiles {
  /** Resolves a path written in the catalog (relative to the catalog's file). */
  resolve(path: string): string;
  /** Parsed content of each flow file by resolved path; a missing entry means it could not be read (already reported). */
  flows: ReadonlyMap<string, unknown>;
}

/**
 * Validates a catalog document's shape and cross-references.
 * @param value parsed YAML/JSON
 * @param source file path for messages
 * @param runner the runner that will load the services: a k6 script needs `k6`, a flow is needed by `engine`;
 *   undefined when nothing is run (traffic, plan), so either kind is accepted
 * @returns the document, or every problem found
 * @example validateCatalog({ schema: 'caplab.catalog/v1', services: [] }, 'c.yaml', 'engine').problems.length // 1
 */
export function validateCatalog(value: unknown, source: string, runner: 'engine' | 'k6' | undefined): { doc?: CatalogDocument; raw?: RawDocument; problems: Problem[] } {
  const parsed = CatalogDocumentSchema.safeParse(value);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => ({ where: `${source}: ${formatPath(i.path)}`, message: i.message })) };
  }
  const doc = parsed.data;
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  doc.services.forEach((s, i) => {
    const where = `${source}: services[${i}]`;
    const first = seen.get(s.name);
    if (first !== undefined) problems.push({ where: `${where}.name`, message: `service "${s.name}" is listed twice (first at services[${first}])` });
    else seen.set(s.name, i);
    const held = s.resources?.connections !== undefined;
    if (held && s.demand !== undefined) {
      problems.push({ where: `${where}.demand`, message: 'a push service (resources.connections) makes no requests of its own: its load is its connections, and its deliveries are resources.connections.messagesPerDevicePerDay; remove `demand`' });
    }
    if (!held && s.demand === undefined) problems.push({ where: `${where}.demand`, message: 'needs a `demand` (requests per device per day, `usage` or `observed`), unless it is a push service with resources.connections' });
    if (held && s.k6 !== undefined) problems.push({ where: `${where}.k6`, message: 'a push service runs its flow\'s WebSocket step; it has no k6 script' });
    if (held && typeof s.flow === 'object' && s.flow.steps !== undefined && s.flow.steps.filter((st) => st.ws !== undefined).length !== 1) {
      problems.push({ where: `${where}.flow.steps`, message: 'a push service\'s flow has exactly one WebSocket (ws) step: the session a device holds' });
    }
    if (s.flow === undefined && s.k6 === undefined) problems.push({ where, message: 'needs a `flow` (the requests one use makes) or a `k6: {script, exec}` (runner k6)' });
    if (runner === 'engine' && s.flow === undefined && s.k6 !== undefined) {
      problems.push({ where: `${where}.k6`, message: `names the k6 script ${s.k6.script}, which the embedded engine cannot run (it runs caplab.scenario/v1 flows, not k6 JavaScript): set \`runner: k6\` in campaign.yaml (k6 on PATH), or describe the service as a flow` });
    }
    if (typeof s.flow === 'object' && s.flow.mix !== undefined) problems.push({ where: `${where}.flow.mix`, message: 'a service flow has `steps`; the campaign mixes services by their demand' });
    if (typeof s.flow === 'object' && s.flow.k6 !== undefined) problems.push({ where: `${where}.flow.k6`, message: 'a service names its k6 script with its own `k6: {script, exec}`, next to `flow`' });
  });
  return { doc, raw: value as RawDocument, problems };
}

/** The parts of a catalog document kept as written. */
export interface RawDocument {
  prelude?: { steps: RawStep[] };
  services: { flow?: { steps: RawStep[] } | string }[];
}

/**
 * A step with the files it sends (`body.file`, `multipart` file parts) named by absolute path: the specs built from
 * the catalog are written elsewhere (a campaign's scenarios/ folder), and `caplab run` reads them relative to the spec.
 * @param step the step as written
 * @param resolve a path as written -> absolute, against the file the step is written in
 * @returns the step (the same object when it sends no file)
 */
export function withAbsoluteFiles(step: RawStep, resolve: (path: string) => string): RawStep {
  const body = step.body as { file?: unknown } | undefined;
  const multipart = step.multipart as Record<string, unknown> | undefined;
  const isFile = (v: unknown): v is { file: string } => typeof v === 'object' && v !== null && typeof (v as { file?: unknown }).file === 'string';
  if (!isFile(body) && !(multipart && Object.values(multipart).some(isFile))) return step;
  return {
    ...step,
    ...(isFile(body) ? { body: { ...body, file: resolve(body.file) } } : {}),
    ...(multipart ? { multipart: Object.fromEntries(Object.entries(multipart).map(([k, v]) => [k, isFile(v) ? { ...v, file: resolve(v.file) } : v])) } : {}),
  };
}

/**
 * The files a resolved catalog's steps send, with where each is named, for the CLI to check they can be read.
 * @param catalog resolved catalog (paths absolute)
 * @returns absolute path and its place (`services[i] step k (name) body.file`), in catalog order
 */
export function catalogSentFiles(catalog: Pick<Catalog, 'services'>): { file: string; where: string }[] {
  return catalog.services.flatMap((svc, i) => (svc.flow?.steps ?? []).flatMap((step, k) => {
    const at = `services[${i}] step ${k + 1}${typeof step.name === 'string' ? ` (${step.name})` : ''}`;
    const body = step.body as { file?: unknown } | undefined;
    const parts = Object.entries((step.multipart ?? {}) as Record<string, { file?: unknown }>);
    return [
      ...(typeof body?.file === 'string' ? [{ file: body.file, where: `${at} body.file` }] : []),
      ...parts.flatMap(([field, v]) => (typeof v === 'object' && v !== null && typeof v.file === 'string' ? [{ file: v.file, where: `${at} multipart.${field}.file` }] : [])),
    ];
  }));
}

/**
 * Turns a validated document and the files it names into the catalog a campaign runs: flows read, the prelude put
 * before each service's steps (once) and the catalog headers on its steps (unless the service opts out of the
 * prelude), every step tagged `service:<name>`
 * unless it names another service itself (a once-per-VU prerequisite that uses another service, say).
 * @param doc validated document
 * @param raw the same document as written (steps are kept as written)
 * @param source file path for messages
 * @param files resolver and the flow files read
 * @returns the catalog
 * @throws {ValidationError} listing every flow file that is not a valid flow
 */
export function resolveCatalog(doc: CatalogDocument, raw: RawDocument, source: string, files: CatalogFiles): Catalog {
  const problems: Problem[] = [];
  const services = doc.services.map((s, i): CatalogService => {
    let steps: RawStep[] | undefined;
    const written = raw.services[i]!.flow;
    if (typeof written === 'string') {
      const path = files.resolve(written);
      if (files.flows.has(path)) {
        const content = files.flows.get(path);
        const r = FlowSchema.safeParse(content);
        if (r.success && r.data.steps) steps = (content as { steps: RawStep[] }).steps;
        else if (r.success) problems.push({ where: path, message: 'a service flow needs `steps`' });
        else problems.push(...r.error.issues.map((x) => ({ where: `${path}: ${formatPath(x.path)}`, message: x.message })));
      }
      if (steps) steps = steps.map((step) => withAbsoluteFiles(step, (f) => resolvePath(dirname(path), f)));
    } else steps = written?.steps.map((step) => withAbsoluteFiles(step, files.resolve));
    // The catalog's headers carry what the prelude obtained: a service that skips the prelude skips them too.
    const headers = s.prelude ? doc.headers : {};
    const tagged = (step: RawStep): RawStep => ({ ...step, tags: { service: s.name, ...step.tags } });
    const own = steps?.map((step) => tagged(Object.keys(headers).length > 0 ? { ...step, headers: { ...headers, ...step.headers } } : step));
    const prelude = s.prelude && raw.prelude ? raw.prelude.steps.map((step) => tagged(withAbsoluteFiles({ ...step, once: true }, files.resolve))) : [];
    return {
      name: s.name,
      ...(own ? { flow: { steps: [...prelude, ...own] } } : {}),
      ...(s.k6 ? { k6: { script: files.resolve(s.k6.script), exec: s.k6.exec, requestsPerUse: s.k6.requestsPerUse } } : {}),
      ...(s.demand !== undefined ? { demand: 'observed' in s.demand ? { observed: files.resolve(s.demand.observed) } : s.demand } : {}),
      ...(s.hourly ? { hourly: s.hourly } : {}),
      ...(s.budgets ? { budgets: s.budgets } : {}),
      ...(s.model ? { model: s.model } : {}),
      ...(s.resources ? { resources: s.resources } : {}),
    };
  });
  if (problems.length > 0) throw new ValidationError(`${source}: flow files are invalid`, problems);
  // tlsAuth files are relative to the catalog: the specs built from it (elsewhere) name them absolutely.
  const options = withTlsAuthPaths(transportOptionsOf(doc), files.resolve);
  return {
    source, name: doc.name ?? 'catalog', services,
    ...(doc.insecureSkipTLSVerify !== undefined ? { insecureSkipTLSVerify: doc.insecureSkipTLSVerify } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/**
 * The flow files a validated document names (paths as written), so the CLI can read them.
 * @param doc validated document
 * @returns relative paths, in catalog order, without repeats
 */
export function catalogFlowFiles(doc: CatalogDocument): string[] {
  return [...new Set(doc.services.flatMap((s) => (typeof s.flow === 'string' ? [s.flow] : [])))];
}
