/**
 * The one schema of data/services.json: the service time of each route of the built-in stacks' emulated node, the
 * limits of what one request may carry, and the OS releases the OTA route offers. The planner reads its service
 * times (a DC's request mix, see hardware.ts serviceMix) and the stacks read all of it (stacks/config.ts), both
 * through this schema, so they cannot disagree on what a valid file is.
 */
import { z } from 'zod';

/**
 * A route's service-time distribution: lognormal with mean `meanMs` (ms of work on an idle node, > 0: a mix of
 * routes divides by it) and coefficient of variation `cv` (sd / mean, 0..10: beyond that the lognormal's tail is
 * no longer a service time).
 */
export const ServiceTimeSchema = z.object({ meanMs: z.number().positive(), cv: z.number().min(0).max(10) });

/** Service-time distribution of one route: mean (ms) and coefficient of variation. */
export type ServiceTime = z.output<typeof ServiceTimeSchema>;

/** Names of the routes that go through an emulated node (the keys data/services.json `routes` must have). */
export const ROUTE_NAMES = [
  'devices_register', 'contacts_sync', 'contacts_list', 'messages_post', 'messages_list', 'ota_check', 'photos_post',
  'photos_get',
] as const;

/** A route that goes through an emulated node. */
export type RouteName = (typeof ROUTE_NAMES)[number];

/** Schema of data/services.json: every route's service time, request limits, and the OTA releases per device model. */
export const ServicesSchema = z.object({
  schema: z.literal('caplab.services/v1'),
  about: z.string().optional(),
  // Every route of the stacks, and any other named route a planner's request mix may refer to, as a service time.
  routes: z.object(Object.fromEntries(ROUTE_NAMES.map((r) => [r, ServiceTimeSchema])) as Record<RouteName, typeof ServiceTimeSchema>).catchall(ServiceTimeSchema),
  limits: z.object({
    maxBodyBytes: z.number().int().min(1024),
    maxContactsPerSync: z.number().int().min(1),
    maxListLimit: z.number().int().min(1),
    defaultListLimit: z.number().int().min(1),
    maxMessageChars: z.number().int().min(1),
    maxPhotoBytes: z.number().int().min(1),
  }),
  ota: z.object({
    latest: z.record(z.string(), z.string().regex(/^MIUI \d+$/)),
    packageBytes: z.number().int().positive(),
  }),
});

/** Parsed data/services.json. */
export type Services = z.output<typeof ServicesSchema>;
