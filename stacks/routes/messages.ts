/**
 * Messages service (SMS backup): `POST /v1/messages` stores one message of the caller's (and, when its `peer` is a
 * user with open push sessions on this data center, delivers it to them: push-endpoint.ts), `GET /v1/messages?since=`
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
      const direction = m.direction ?? 'out';
      const sentAt = m.sentAt ?? Date.now();
      const seq = ctx.store.addMessage(user.id, { peer: m.peer, body: m.body, direction, sentAt });
      // Pushed only when the phone sent it: an `in` message was received from the peer, who has it already.
      if (direction === 'out') ctx.push.deliver(m.peer, { seq, from: user.id, body: m.body, sentAt });
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
