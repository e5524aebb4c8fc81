/**
 * OTA service: `GET /v1/ota/check?model=&version=` says whether a newer OS release exists for a phone model. No
 * auth: phones check for updates before anyone signs in, and the answer holds no personal data.
 */
import { z } from 'zod';
import type { OtaCheckResponse } from '../api.ts';
import { validate } from '../body.ts';
import { queryObject } from '../query.ts';
import type { RouteDef } from '../route.ts';

const QuerySchema = z.object({
  model: z.string().min(1).max(64),
  version: z.string().max(64).regex(/^\D*\d{1,6}\D*$/, 'must contain one release number, e.g. "MIUI 6"'),
});

const releaseNumber = (v: string): number => Number(/\d+/.exec(v)?.[0] ?? NaN);

/** The OTA service's routes. */
export const otaRoutes: RouteDef[] = [
  {
    name: 'ota_check',
    method: 'GET',
    path: '/v1/ota/check',
    handle(ctx) {
      const q = validate(QuerySchema, queryObject(ctx.query), 'query');
      const { ota } = ctx.data.services;
      const latest = ota.latest[q.model] ?? null;
      const update = latest !== null && releaseNumber(latest) > releaseNumber(q.version);
      const res: OtaCheckResponse = update ? { update, latest, sizeBytes: ota.packageBytes } : { update, latest };
      return { status: 200, body: res };
    },
  },
];
