/** Test fixture: the project's canonical example scenario spec (docs/formats.md shows the format). */

/** The canonical example spec (clone it before changing it). */
export const DESIGN_SPEC = {
  schema: 'caplab.scenario/v1',
  name: 'singapore-peak',
  baseUrl: 'http://127.0.0.1:8080',
  data: { users: { seed: 1, dc: 'singapore', file: 'users-singapore.ndjson' } },
  options: {
    scenarios: {
      probe_4: { executor: 'constant-vus', vus: 4, duration: '10s', exec: 'default', tags: { step: '4' } },
      peak: { executor: 'ramping-arrival-rate', startRate: 50, timeUnit: '1s', preAllocatedVUs: 20,
        maxVUs: 200, stages: [{ target: 400, duration: '30s' }], startTime: '10s', exec: 'mixed' },
    },
    thresholds: { 'http_req_duration{scenario:peak,name:contacts_sync}': ['p(95)<300'],
      'http_req_failed{scenario:peak}': ['rate<0.01'] },
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  },
  flows: {
    default: { steps: [
      { name: 'register', once: true, method: 'POST', path: '/v1/devices/register',
        json: { userId: '{{user.id}}', deviceSecret: '{{user.deviceSecret}}', country: '{{user.country}}' },
        extract: { token: '$.token' }, checks: { status: 200 } },
      { name: 'contacts_sync', method: 'POST', path: '/v1/contacts/sync',
        headers: { Authorization: 'Bearer {{vars.token}}' }, json: { contacts: '{{user.contacts}}' },
        expectedStatuses: [200, 409], checks: { status: [200, 409], maxDuration: '500ms' }, think: '100ms' }] },
    ota: { steps: [{ name: 'ota_check', method: 'GET',
      path: '/v1/ota/check?model={{user.deviceModel}}&version={{user.osVersion}}', checks: { status: 200 } }] },
    mixed: { mix: { default: 3, ota: 1 } },
  },
};
