/**
 * Credentials for `caplab demand fit --prometheus`: taken from the environment, never from the URL, and never
 * printed. A URL with `user:pass@` is refused (it would sit in shell history and process lists, and in messages).
 */
import { InputError } from './errors.ts';

/** Bearer token for Prometheus (`Authorization: Bearer <token>`). */
export const TOKEN_VAR = 'CAPLAB_PROMETHEUS_TOKEN';
/** User for basic auth; needs {@link PASSWORD_VAR}. */
export const USER_VAR = 'CAPLAB_PROMETHEUS_USER';
/** Password for basic auth; needs {@link USER_VAR}. */
export const PASSWORD_VAR = 'CAPLAB_PROMETHEUS_PASSWORD';

/** How to reach a Prometheus: the URL to query, the headers to send and the URL to show in messages. */
export interface PrometheusTarget {
  /** The base URL, without credentials. */
  url: URL;
  /** `authorization` when the environment gives credentials. */
  headers: Record<string, string>;
  /** What messages and demand.json show: the URL as given (it holds no credentials: those are refused). */
  display: string;
}

/**
 * Builds the target of `--prometheus URL` from the URL and the environment.
 * @param base the flag's value
 * @param env the environment (process.env)
 * @returns the URL, the auth headers and the printable URL
 * @throws {InputError} when the URL is not http(s), carries credentials (shown redacted), or the environment gives a
 *   token together with a user, or a user without a password (or the reverse)
 */
export function prometheusTarget(base: string, env: NodeJS.ProcessEnv): PrometheusTarget {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`--prometheus "${redact(base)}" is not an http(s) URL`);
  if (url.username !== '' || url.password !== '') {
    throw new InputError(`--prometheus ${redact(base)}: credentials in the URL are not accepted (they would show in shell history, process lists and messages); ` +
      `set ${TOKEN_VAR} for a bearer token, or ${USER_VAR} and ${PASSWORD_VAR} for basic auth`);
  }
  const token = env[TOKEN_VAR];
  const user = env[USER_VAR];
  const password = env[PASSWORD_VAR];
  const headers: Record<string, string> = {};
  if (token !== undefined && token !== '') {
    if (user !== undefined || password !== undefined) throw new InputError(`set either ${TOKEN_VAR} or ${USER_VAR} and ${PASSWORD_VAR}, not both`);
    headers.authorization = `Bearer ${token}`;
  } else if (user !== undefined || password !== undefined) {
    if (user === undefined || password === undefined) throw new InputError(`basic auth needs both ${USER_VAR} and ${PASSWORD_VAR} (only ${user === undefined ? PASSWORD_VAR : USER_VAR} is set)`);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  return { url, headers, display: base };
}

/** The text of a URL with anything between `//` and `@` hidden, for messages about a URL that may not parse. */
function redact(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}
