/**
 * The request and response types of the stacks' HTTP API (JSON over HTTP/1.1). This is the one file the load side
 * may import from stacks/ (docs/design.md "Layout"): everything else is spoken to over HTTP only.
 */

/** The data centers of the story, in the order `caplab stack up` starts them. */
export const DCS = ['beijing', 'singapore', 'us-west-1', 'us-west-2'] as const;

/** A data center name. */
export type Dc = (typeof DCS)[number];

/** Body of every 4xx/5xx response. */
export interface ErrorBody {
  /** Machine-readable error code, e.g. `invalid_request`, `unauthorized`, `not_found`, `overloaded`. */
  error: string;
  /** One line for a human, naming the bad value or the rule. */
  detail: string;
  /** Every validation problem with its JSON path (400 only). */
  problems?: Array<{ path: string; message: string }>;
  /** The residency rule that refused the write (451 only). */
  rule?: string;
  /** The server's current contacts that made a sync stale (409 only). */
  current?: ContactVersion[];
}

/** `POST /v1/devices/register` request. */
export interface RegisterRequest {
  /** The user's id (e.g. `u1-42`), 1-64 characters. */
  userId: string;
  /** The device's secret, 16-128 characters; proves the user on later registrations. */
  deviceSecret: string;
  /** ISO 3166-1 alpha-2 country of the user (decides residency and the WAN delay). */
  country: string;
  /** Phone model, e.g. `Mi 4` (optional). */
  deviceModel?: string;
  /** OS release, e.g. `MIUI 6` (optional). */
  osVersion?: string;
}

/** `POST /v1/devices/register` response (200). */
export interface RegisterResponse {
  /** Bearer token for `Authorization: Bearer <token>`; random, stored only hashed. */
  token: string;
  /** The user id the token belongs to. */
  userId: string;
  /** Data center that stores the user. */
  dc: string;
}

/** One contact as a client sends it in a sync batch. */
export interface ContactChange {
  /** Client-chosen contact id, unique per user, 1-64 characters. */
  id: string;
  /** The version this change is based on: 0 for a new contact, else the version the client last saw. */
  version: number;
  /** Display name. */
  name?: string;
  /** Phone number. */
  phone?: string;
  /** Email address. */
  email?: string;
  /** True to delete (a tombstone keeps the version). */
  deleted?: boolean;
}

/** `POST /v1/contacts/sync` request: a batch upsert, applied all or nothing. */
export interface ContactsSyncRequest {
  /** 1 to `limits.maxContactsPerSync` changes with distinct ids. */
  contacts: ContactChange[];
}

/** A contact id with its version. */
export interface ContactVersion {
  /** Contact id. */
  id: string;
  /** Version on the server (starts at 1, +1 per accepted change). */
  version: number;
}

/** `POST /v1/contacts/sync` response (200). A stale `version` gives 409 with `current` instead, and nothing is written. */
export interface ContactsSyncResponse {
  /** The new version of every contact in the batch. */
  contacts: ContactVersion[];
}

/** A stored contact. */
export interface Contact extends ContactVersion {
  /** Display name or null. */
  name: string | null;
  /** Phone number or null. */
  phone: string | null;
  /** Email or null. */
  email: string | null;
  /** Tombstone flag. */
  deleted: boolean;
}

/** `GET /v1/contacts?limit=&after=` response: the caller's contacts ordered by id. */
export interface ContactsListResponse {
  /** Up to `limit` contacts with ids after `after`. */
  contacts: Contact[];
  /** Pass as `after` to get the next page; null at the end. */
  next: string | null;
}

/** `POST /v1/messages` request: one backed-up SMS. */
export interface MessagePostRequest {
  /** The other party (phone number or address), 1-64 characters. */
  peer: string;
  /** Text, up to `limits.maxMessageChars` characters. */
  body: string;
  /** Whether the phone sent (`out`) or received (`in`) it; default `out`. */
  direction?: 'in' | 'out';
  /** When it was sent, ms since the epoch; default: now. */
  sentAt?: number;
}

/** A stored message. */
export interface Message {
  /** Server sequence number: increasing per data center, used by `since`. */
  seq: number;
  /** The other party. */
  peer: string;
  /** Text. */
  body: string;
  /** `in` or `out`. */
  direction: 'in' | 'out';
  /** Sent time, ms since the epoch. */
  sentAt: number;
}

/** `POST /v1/messages` response (201). */
export interface MessagePostResponse {
  /** The stored message's sequence number. */
  seq: number;
}

/** `GET /v1/messages?since=&limit=` response: the caller's messages with seq > since, oldest first. */
export interface MessagesListResponse {
  /** Messages. */
  messages: Message[];
  /** The highest seq returned (or `since` when none): pass it as the next `since`. */
  next: number;
}

/** `GET /v1/ota/check?model=&version=` response (no auth: devices check before they sign in). */
export interface OtaCheckResponse {
  /** Whether a newer release exists for the model. */
  update: boolean;
  /** Newest release for the model, or null when the model is unknown. */
  latest: string | null;
  /** Package size in bytes when an update exists. */
  sizeBytes?: number;
}

/** `POST /v1/photos` request: metadata of one photo to back up. */
export interface PhotoPostRequest {
  /** File name, 1-255 characters. */
  name: string;
  /** Size in bytes; over `limits.maxPhotoBytes` -> 413. */
  sizeBytes: number;
  /** Hex SHA-256 of the content (64 hex digits), optional. */
  sha256?: string;
  /** When it was taken, ms since the epoch, optional. */
  takenAt?: number;
}

/** `POST /v1/photos` response (201) and `GET /v1/photos/:id` response (200). */
export interface Photo {
  /** Server id (random UUID). */
  id: string;
  /** File name. */
  name: string;
  /** Size in bytes. */
  sizeBytes: number;
  /** Hex SHA-256 or null. */
  sha256: string | null;
  /** Taken time or null. */
  takenAt: number | null;
}

/** Path of the push WebSocket endpoint (`GET` with `Upgrade: websocket`). */
export const PUSH_PATH = '/v1/push';

/** The push endpoint's subprotocol, chosen when the client offers it in `Sec-WebSocket-Protocol`. */
export const PUSH_SUBPROTOCOL = 'caplab.push.v1';

/**
 * A heartbeat sent as text (clients that cannot send a ping control frame); answered with {@link PushPong} after the
 * heartbeat's modeled CPU time. A ping control frame is a heartbeat too, answered with a pong frame.
 */
export interface PushPing {
  /** Message type. */
  type: 'ping';
}

/**
 * Asks the server to deliver {@link PushEcho} back to this session through the same path (and modeled CPU cost) as a
 * message, so a load generator can time delivery alone.
 */
export interface PushEchoRequest {
  /** Message type. */
  type: 'echo';
  /** Client-chosen id, 1-128 characters, returned as is. */
  id: string;
}

/** What a client may send on `/v1/push` (text frames of JSON; a binary frame closes the session with 1003). */
export type PushClientMessage = PushPing | PushEchoRequest;

/** Answer to a text heartbeat. */
export interface PushPong {
  /** Message type. */
  type: 'pong';
}

/** An echo delivered back. */
export interface PushEcho {
  /** Message type. */
  type: 'echo';
  /** The id of the {@link PushEchoRequest}. */
  id: string;
  /** When the server wrote it, ms since the epoch (server clock). */
  sentAt: number;
}

/** A message delivered to an online recipient: `POST /v1/messages` with `peer` = the recipient's user id. */
export interface PushMessage {
  /** Message type. */
  type: 'message';
  /** The stored message's sequence number (as in the sender's `POST /v1/messages` response). */
  seq: number;
  /** The sender's user id. */
  from: string;
  /** Text. */
  body: string;
  /** The message's sent time, ms since the epoch (as posted). */
  sentAt: number;
}

/** Answer to a client message the server does not understand; the session stays open. */
export interface PushError {
  /** Message type. */
  type: 'error';
  /** Machine-readable code: `invalid_message`. */
  error: string;
  /** One line naming the problem. */
  detail: string;
}

/** What the server sends on `/v1/push`. */
export type PushServerMessage = PushPong | PushEcho | PushMessage | PushError;

/** `GET /healthz` response (answered outside the node's queue). */
export interface HealthResponse {
  /** Always `ok` while the process serves. */
  status: 'ok';
  /** Data center name. */
  dc: string;
  /** Per emulated node: busy workers and queued requests. */
  nodes: Array<{ busy: number; queued: number; workers: number; queue: number }>;
}

/** `<out-dir>/stacks.json` written by `caplab stack up` (`caplab.stacks/v1`). */
export interface StacksFile {
  /** Schema tag. */
  schema: 'caplab.stacks/v1';
  /** DC -> base URL, e.g. `http://127.0.0.1:43121`. */
  urls: Record<string, string>;
  /** Emulated nodes per DC. */
  nodes: number;
  /** Whether responses are delayed by the modeled RTT. */
  wan: boolean;
  /** Directory of the SQLite files. */
  dataDir: string;
}
