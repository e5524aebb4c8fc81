/**
 * Matches a method and path to a route: unknown path -> 404, known path with another method -> 405 with Allow.
 */
import { HttpError } from './http-error.ts';
import type { RouteDef } from './route.ts';
import { contactRoutes } from './routes/contacts.ts';
import { deviceRoutes } from './routes/devices.ts';
import { messageRoutes } from './routes/messages.ts';
import { otaRoutes } from './routes/ota.ts';
import { photoRoutes } from './routes/photos.ts';

/** Every service route, one module per service. */
export const ROUTES: readonly RouteDef[] = [...deviceRoutes, ...contactRoutes, ...messageRoutes, ...otaRoutes, ...photoRoutes];

/** A matched route with its path parameters. */
export interface RouteMatch {
  /** The route. */
  route: RouteDef;
  /** Decoded `:name` segments. */
  params: Record<string, string>;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) {
      if (s[i] === '') return undefined;
      try {
        params[seg.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return undefined;
      }
    } else if (seg !== s[i]) return undefined;
  }
  return params;
}

/**
 * Finds the route for a request.
 * @param routes route table
 * @param method HTTP method
 * @param path URL path (no query)
 * @returns the route and its params
 * @throws {HttpError} 404 when no route has the path, 405 (with Allow) when none has the method
 */
export function matchRoute(routes: readonly RouteDef[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length === 0) throw new HttpError(404, 'not_found', `no route ${path.slice(0, 200)}`);
  throw new HttpError(405, 'method_not_allowed', `${method.slice(0, 20)} is not allowed on ${path}; use ${allowed.join(', ')}`, {}, { Allow: allowed.join(', ') });
}
