/**
 * Devices service: `POST /v1/devices/register`. A first registration creates the user in this data center (if its
 * residency rule allows); later ones must present the same device secret and get a further token.
 */
import { z } from 'zod';
import type { RegisterResponse } from '../api.ts';
import { newToken, sameDigest, sha256 } from '../auth.ts';
import { validate } from '../body.ts';
import { HttpError } from '../http-error.ts';
import { assertResidency } from '../residency.ts';
import type { RouteDef } from '../route.ts';

/** Body of a registration. */
export const RegisterSchema = z.object({
  userId: z.string().min(1).max(64).regex(/^[\w.@:+-]+$/, 'letters, digits and . @ : + - _ only'),
  deviceSecret: z.string().min(16).max(128),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. SG'),
  // Optional because the canonical example scenario (test/scenarios/design-spec.ts) registers with userId, deviceSecret and country only.
  deviceModel: z.string().min(1).max(64).optional(),
  osVersion: z.string().min(1).max(64).optional(),
});

/** The devices service's routes. */
export const deviceRoutes: RouteDef[] = [
  {
    name: 'devices_register',
    method: 'POST',
    path: '/v1/devices/register',
    handle(ctx) {
      const body = validate(RegisterSchema, ctx.json(), 'body');
      const existing = ctx.store.getUser(body.userId);
      const country = existing?.country ?? body.country;
      ctx.setClientCountry(country);
      assertResidency(ctx.data.residency, country, ctx.dc);
      const secretHash = sha256(body.deviceSecret);
      const token = newToken();
      if (existing) {
        if (!sameDigest(existing.secretHash, secretHash)) {
          throw new HttpError(401, 'unauthorized', `user "${body.userId}" exists and the device secret does not match`);
        }
        ctx.store.addToken(existing.id, sha256(token));
      } else {
        ctx.store.createUserWithToken({ id: body.userId, secretHash, country, deviceModel: body.deviceModel ?? null, osVersion: body.osVersion ?? null }, sha256(token));
      }
      const res: RegisterResponse = { token, userId: body.userId, dc: ctx.dc };
      return { status: 200, body: res };
    },
  },
];
