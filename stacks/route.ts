/**
 * What a route module exports and what its handler receives. Handlers are synchronous (validation and SQLite):
 * the node has already spent the emulated service time when one runs.
 */
import type { IncomingMessage } from 'node:http';
import type { RouteName, StackData } from './config.ts';
import type { PushEndpoint } from './push-endpoint.ts';
import type { Store, UserRow } from './store.ts';

/** Everything a handler may use. */
export interface RouteContext {
  /** Data center name. */
  dc: string;
  /** The data center's database. */
  store: Store;
  /** The stack's data files. */
  data: StackData;
  /** The request (headers). */
  req: IncomingMessage;
  /** Query parameters. */
  query: URLSearchParams;
  /** Path parameters, e.g. `{id}` for `/v1/photos/:id`. */
  params: Record<string, string>;
  /**
   * The parsed JSON body.
   * @throws {HttpError} 415 or 400
   */
  json(): unknown;
  /**
   * The authenticated user; also makes the user's country the client's country for the WAN delay.
   * @throws {HttpError} 401
   */
  user(): UserRow;
  /** Sets the client's country for the WAN delay (when no header named one). */
  setClientCountry(country: string): void;
  /** The data center's push sessions: `deliver` sends a stored message to its recipient's open sessions. */
  push: Pick<PushEndpoint, 'deliver'>;
}

/** A handler's successful response. */
export interface RouteResult {
  /** HTTP status (2xx). */
  status: number;
  /** JSON body. */
  body: unknown;
}

/** One route of a service. */
export interface RouteDef {
  /** Route name: selects the service time and labels metrics. */
  name: RouteName;
  /** HTTP method. */
  method: 'GET' | 'POST';
  /** Path pattern; `:name` segments become params. */
  path: string;
  /**
   * Handles the request.
   * @throws {HttpError} 4xx for anything the client did wrong
   */
  handle(ctx: RouteContext): RouteResult;
}
