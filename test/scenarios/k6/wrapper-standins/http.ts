/**
 * Stand-in for k6/http that adds the running VU's tags (execution.ts) to each request's tags, as k6 tags every
 * metric with the VU's tags; a request's own tags win on a clash, as in k6. Recording is standins/http.ts's.
 */
import base from '../standins/http.ts';
import { standin } from '../standins/state.ts';
import { vuTags } from './execution.ts';

type Params = NonNullable<Parameters<typeof base.request>[3]>;

/**
 * k6's http.request with VU tags.
 * @param method HTTP method
 * @param url full URL
 * @param body body or null
 * @param params k6 params
 * @returns what the base stand-in returns
 */
function request(method: string, url: string, body: string | null, params: Params = {}) {
  const own = Object.entries(vuTags(standin.exec.vu.idInTest)).map(([k, v]) => [k, String(v)]);
  return base.request(method, url, body, { ...params, tags: { ...Object.fromEntries(own), ...params.tags } });
}

export default { ...base, request };
