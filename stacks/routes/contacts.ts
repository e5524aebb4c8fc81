/**
 * Contacts service: `POST /v1/contacts/sync` (batch upsert with optimistic per-contact versions, all or nothing:
 * one stale version -> 409 with the server's current versions) and `GET /v1/contacts` (paged by id).
 */
import { z } from 'zod';
import type { ContactsListResponse, ContactsSyncResponse } from '../api.ts';
import { validate } from '../body.ts';
import type { StackData } from '../config.ts';
import { HttpError } from '../http-error.ts';
import { queryInt, queryObject } from '../query.ts';
import { assertResidency } from '../residency.ts';
import type { RouteDef } from '../route.ts';

const ContactSchema = z.object({
  id: z.string().min(1).max(64),
  version: z.number().int().min(0).max(2 ** 31),
  name: z.string().max(256).optional(),
  phone: z.string().max(64).optional(),
  email: z.string().max(256).optional(),
  deleted: z.boolean().optional(),
});

/**
 * The sync body's schema for the given limits.
 * @param limits data/services.json `limits`
 * @returns the schema (1..maxContactsPerSync contacts with distinct ids)
 */
export function contactsSyncSchema(limits: StackData['services']['limits']) {
  return z.object({ contacts: z.array(ContactSchema).min(1).max(limits.maxContactsPerSync) }).superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.contacts.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['contacts', i, 'id'], message: `duplicate id "${c.id}" in the batch` });
      seen.add(c.id);
    });
  });
}

/** The contacts service's routes. */
export const contactRoutes: RouteDef[] = [
  {
    name: 'contacts_sync',
    method: 'POST',
    path: '/v1/contacts/sync',
    handle(ctx) {
      const user = ctx.user();
      const body = validate(contactsSyncSchema(ctx.data.services.limits), ctx.json(), 'body');
      assertResidency(ctx.data.residency, user.country, ctx.dc);
      const out = ctx.store.syncContacts(user.id, body.contacts);
      if (!out.ok) {
        throw new HttpError(409, 'version_conflict',
          `${out.current.length} contact${out.current.length === 1 ? ' has' : 's have'} a newer version on the server (first: "${out.current[0]!.id}" is at ${out.current[0]!.version}); nothing was written`,
          { current: out.current });
      }
      const res: ContactsSyncResponse = { contacts: out.versions };
      return { status: 200, body: res };
    },
  },
  {
    name: 'contacts_list',
    method: 'GET',
    path: '/v1/contacts',
    handle(ctx) {
      const user = ctx.user();
      const { limits } = ctx.data.services;
      const q = validate(z.object({ limit: queryInt(1, limits.maxListLimit), after: z.string().max(64).optional() }), queryObject(ctx.query), 'query');
      const limit = q.limit ?? limits.defaultListLimit;
      const contacts = ctx.store.listContacts(user.id, q.after ?? '', limit);
      const res: ContactsListResponse = { contacts, next: contacts.length === limit ? contacts[contacts.length - 1]!.id : null };
      return { status: 200, body: res };
    },
  },
];
