/**
 * Photos service: `POST /v1/photos` records a photo's metadata and size (over the size limit -> 413),
 * `GET /v1/photos/:id` returns one of the caller's photos (someone else's -> 404, as if it did not exist).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Photo } from '../api.ts';
import { validate } from '../body.ts';
import { HttpError } from '../http-error.ts';
import { assertResidency } from '../residency.ts';
import type { RouteDef } from '../route.ts';

const PhotoSchema = z.object({
  name: z.string().min(1).max(255),
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits').optional(),
  takenAt: z.number().int().min(0).max(8.64e15).optional(),
});

/** The photos service's routes. */
export const photoRoutes: RouteDef[] = [
  {
    name: 'photos_post',
    method: 'POST',
    path: '/v1/photos',
    handle(ctx) {
      const user = ctx.user();
      const p = validate(PhotoSchema, ctx.json(), 'body');
      const max = ctx.data.services.limits.maxPhotoBytes;
      if (p.sizeBytes > max) throw new HttpError(413, 'photo_too_large', `sizeBytes ${p.sizeBytes} is over the limit of ${max} bytes per photo`);
      assertResidency(ctx.data.residency, user.country, ctx.dc);
      const photo: Photo = { id: randomUUID(), name: p.name, sizeBytes: p.sizeBytes, sha256: p.sha256 ?? null, takenAt: p.takenAt ?? null };
      ctx.store.addPhoto(user.id, photo);
      return { status: 201, body: photo };
    },
  },
  {
    name: 'photos_get',
    method: 'GET',
    path: '/v1/photos/:id',
    handle(ctx) {
      const user = ctx.user();
      const id = ctx.params.id ?? '';
      const photo = id.length <= 64 ? ctx.store.getPhoto(user.id, id) : undefined;
      if (!photo) throw new HttpError(404, 'not_found', `no photo "${id.slice(0, 64)}" for this user`);
      return { status: 200, body: photo };
    },
  },
];
