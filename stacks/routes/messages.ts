/**
 * Messages service (SMS backup): `POST /v1/messages` stores one message of the caller's, `GET /v1/messages?since=`
 * returns the caller's messages after a sequence number, oldest first.
 */
import { z } from 'zod';
import type { MessagePostResponse, MessagesListResponse } from '../api.ts';
import { validate } from '../body.ts';
import { queryInt, queryObject } from '../query.ts';
import { assertResidency } from '../residency.ts';
import type { RouteDef } from '../route.ts';

/** The messages service's routes. */
export const messageRoutes: RouteDef[] = [
  {
    name: 'messages_post',
    method: 'POST',
    path: '/v1/messages',
    handle(ctx) {
      const user = ctx.user();
      const schema = z.object({
        peer: z.string().min(1).max(64),
        body: z.string().max(ctx.data.services.limits.maxMessageChars),
        direction: z.enum(['in', 'out']).optional(),
        sentAt: z.number().int().min(0).max(8.64e15).optional(),
      });
      const m = validate(schema, ctx.json(), 'body');
      assertResidency(ctx.data.residency, user.country, ctx.dc);
      const seq = ctx.store.addMessage(user.id, { peer: m.peer, body: m.body, direction: m.direction ?? 'out', sentAt: m.sentAt ?? Date.now() });
      const res: MessagePostResponse = { seq };
      return { status: 201, body: res };
    },
  },
  {
    name: 'messages_list',
    method: 'GET',
    path: '/v1/messages',
    handle(ctx) {
      const user = ctx.user();
      const { limits } = ctx.data.services;
      const q = validate(z.object({ since: queryInt(0, Number.MAX_SAFE_INTEGER), limit: queryInt(1, limits.maxListLimit) }), queryObject(ctx.query), 'query');
      const since = q.since ?? 0;
      const messages = ctx.store.listMessages(user.id, since, q.limit ?? limits.defaultListLimit);
      const res: MessagesListResponse = { messages, next: messages.length ? messages[messages.length - 1]!.seq : since };
      return { status: 200, body: res };
    },
  },
];
