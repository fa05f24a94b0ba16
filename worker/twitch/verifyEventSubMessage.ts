import { HttpError } from "../errors";
import { readBoundedBody } from "../lib/readBoundedBody";

/** Twitch's replay window: a message older than 10 minutes is refused. */
const maximumMessageAgeMilliseconds = 10 * 60 * 1000;

/**
 * The largest EventSub message body read, in bytes. Twitch publishes no maximum; the types
 * LiveLoot subscribes to (stream.online/offline, follow, subscribe, cheer, raid), a challenge and
 * a revocation are all under 1 KB (the docs' follow sample is 458 bytes), and Twitch's largest
 * types (a prediction with its top predictors, a chat message with fragments and badges) stay
 * near 10 KB. 32 KiB leaves room for those; anything larger is refused with 413.
 */
export const maximumEventSubBytes = 32 * 1024;

export interface EventSubEnvelope {
  messageId: string;
  messageType: string;
  subscriptionType: string | undefined;
  /** Twitch-Eventsub-Message-Timestamp, on Twitch's clock: orders one channel's stream events. */
  sentAt: number;
  body: string;
}

/**
 * Checks `Twitch-Eventsub-Message-Signature` = sha256=HMAC(secret, id + timestamp + raw body)
 * and the timestamp's age. Anything wrong is a 403, as Twitch's own samples answer, except a
 * body over `maximumEventSubBytes`: a 413, before it is read.
 */
export async function verifyEventSubMessage(
  request: Request,
  secret: string,
  nowMilliseconds: number,
): Promise<EventSubEnvelope> {
  const messageId = request.headers.get("twitch-eventsub-message-id");
  const timestamp = request.headers.get("twitch-eventsub-message-timestamp");
  const signature = request.headers.get("twitch-eventsub-message-signature");
  const messageType = request.headers.get("twitch-eventsub-message-type");
  const body = await readBoundedBody(request, maximumEventSubBytes);
  if (!messageId || !timestamp || !signature || !messageType) throw new HttpError(403, "Missing EventSub headers.");
  const sentAt = parseTwitchTimestamp(timestamp);
  if (sentAt === undefined || Math.abs(nowMilliseconds - sentAt) > maximumMessageAgeMilliseconds) {
    throw new HttpError(403, "EventSub message is too old.");
  }
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature);
  if (!match?.[1]) throw new HttpError(403, "Bad EventSub signature.");
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    hexToBytes(match[1]),
    new TextEncoder().encode(messageId + timestamp + body),
  );
  if (!valid) throw new HttpError(403, "Bad EventSub signature.");
  return {
    messageId,
    messageType,
    subscriptionType: request.headers.get("twitch-eventsub-subscription-type") ?? undefined,
    sentAt,
    body,
  };
}

/** RFC3339 with up to nanoseconds, e.g. 2021-02-19T23:47:00.8091512Z. */
export function parseTwitchTimestamp(timestamp: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
  if (!match) return undefined;
  const milliseconds = (match[2] ?? "").slice(0, 3).padEnd(3, "0");
  const parsed = Date.parse(`${match[1]}.${milliseconds}${match[3]}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1)
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}
