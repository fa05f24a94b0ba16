import { type LearnedFact, writeGateFacts } from "../cache/gateFacts";
import type { AppContext } from "../context";
import { recordStreamEvent } from "../db/channelLiveness";
import { recordEventSubMessage } from "../db/eventSubMessages";
import { recordVerification, updateSubscriptionStatus } from "../db/eventSubSubscriptions";
import { awardPoints } from "../db/viewerPoints";
import { HttpError } from "../errors";
import {
  notificationBodySchema,
  revocationBodySchema,
  streamEventSchema,
  verificationBodySchema,
} from "./eventsub.external";
import { readActivityPoints } from "./readActivityPoints";
import { readGateFact } from "./readGateFact";
import { type EventSubEnvelope, parseTwitchTimestamp, verifyEventSubMessage } from "./verifyEventSubMessage";

/** Without these, LiveLoot cannot see the stream go live or offline by itself. */
const neededSubscriptionTypes = new Set(["stream.online", "stream.offline"]);

/** A revoked subscription LiveLoot needs, as Twitch reported it, with the guilds it served. */
export interface LivenessRevocation {
  subscriptionId: string;
  type: string;
  /** Twitch's new status, e.g. `authorization_revoked`, `user_removed`. */
  reason: string;
  /** Every guild linking the channel: one subscription serves them all. */
  guildIds: string[];
}

/**
 * What EventSub reports and the raffle side acts on (raffle/eventSubReactions.ts): Twitch code
 * only reports; it never posts to Discord.
 */
export interface EventSubListener {
  /** stream.online or stream.offline was revoked: liveness falls back to polling. Once per revocation. */
  livenessRevoked(app: AppContext, revocation: LivenessRevocation): Promise<void>;
}

/**
 * POST /twitch/eventsub. Verified before parsing; a message id seen before is acknowledged
 * and not processed again. The dedup record lives in Postgres, in the same statement as the
 * effect, so it survives a Redis outage and a failed effect is retried by Twitch.
 */
export async function handleEventSub(request: Request, app: AppContext, listener: EventSubListener): Promise<Response> {
  const envelope = await verifyEventSubMessage(request, app.config.twitchEventSubSecret, app.now());
  const json = parseJson(envelope.body);
  if (envelope.messageType === "webhook_callback_verification") return answerChallenge(app, json);
  if (envelope.messageType === "revocation") {
    await recordRevocation(app, envelope, json, listener);
    return new Response(null, { status: 204 });
  }
  if (envelope.messageType === "notification") await processNotification(app, envelope, json);
  return new Response(null, { status: 204 });
}

async function answerChallenge(app: AppContext, json: unknown): Promise<Response> {
  const body = verificationBodySchema.safeParse(json);
  if (!body.success) throw new HttpError(400, "Not an EventSub verification body.");
  await recordVerification(app.database, body.data.subscription.id);
  app.log.info("EventSub subscription verified", { type: body.data.subscription.type });
  return new Response(body.data.challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

/** Records the new status; a needed subscription lost is reported to the listener, once. */
async function recordRevocation(
  app: AppContext,
  envelope: EventSubEnvelope,
  json: unknown,
  listener: EventSubListener,
): Promise<void> {
  const body = revocationBodySchema.safeParse(json);
  if (!body.success) throw new HttpError(400, "Not an EventSub revocation body.");
  const { subscription } = body.data;
  if (!(await recordEventSubMessage(app.database, envelope))) return;
  const updated = await updateSubscriptionStatus(app.database, subscription.id, subscription.status);
  app.log.warn("EventSub subscription revoked", { type: subscription.type, reason: subscription.status });
  if (!updated?.changed || !neededSubscriptionTypes.has(subscription.type)) return;
  await listener.livenessRevoked(app, {
    subscriptionId: subscription.id,
    type: subscription.type,
    reason: subscription.status,
    guildIds: updated.guildIds,
  });
}

async function processNotification(app: AppContext, envelope: EventSubEnvelope, json: unknown): Promise<void> {
  const body = notificationBodySchema.safeParse(json);
  if (!body.success) throw new HttpError(400, "Not an EventSub notification body.");
  const type = body.data.subscription.type;
  const event = body.data.event;
  if (type === "stream.online" || type === "stream.offline") {
    const stream = streamEventSchema.safeParse(event);
    if (!stream.success) throw new HttpError(400, "A stream event without broadcaster_user_id.");
    const startedAt = stream.data.started_at ? parseTwitchTimestamp(stream.data.started_at) : undefined;
    const outcome = await recordStreamEvent(app.database, {
      messageId: envelope.messageId,
      messageType: envelope.messageType,
      subscriptionType: type,
      broadcasterId: stream.data.broadcaster_user_id,
      isLive: type === "stream.online",
      streamStartedAt: startedAt,
      sentAt: envelope.sentAt,
      receivedAt: app.now(),
    });
    // A late or out-of-order event (sent before what is known) is acknowledged and not applied.
    app.log.info("stream liveness from EventSub", { type, duplicate: !outcome.isNew, applied: outcome.applied });
    return;
  }
  await rememberGateFact(app, type, event);
  // A chat message only tells the chat gate who chatted when: writing the same fact twice is
  // harmless, so it skips the Postgres dedup record (one Redis write per message, nothing more).
  if (type === "channel.chat.message") return;
  const activity = safelyReadActivity(type, event);
  if (!activity) {
    await recordEventSubMessage(app.database, envelope);
    return;
  }
  // One statement awards every guild linking the channel, each by its own point values.
  const result = await awardPoints(app.database, {
    messageId: envelope.messageId,
    messageType: envelope.messageType,
    subscriptionType: type,
    ...activity,
  });
  app.log.info("activity points", {
    type,
    activity: activity.activity,
    quantity: activity.quantity,
    guilds: result.guildCount,
    duplicate: !result.isNew,
  });
}

/**
 * A follow, a subscription or a chat message is remembered for the raffle gates at once (the
 * follower passes the gate without a lookup). Redis is a cache: when it fails, the gates ask
 * Twitch again (follows, subscriptions) or the viewer counts as not having chatted.
 */
async function rememberGateFact(app: AppContext, type: string, event: unknown): Promise<void> {
  let fact: LearnedFact | undefined;
  try {
    fact = readGateFact(type, event, app.now());
  } catch {
    throw new HttpError(400, `A ${type} event missing fields.`);
  }
  if (!fact) return;
  try {
    await writeGateFacts(app.redis, [fact], app.now());
  } catch (error) {
    app.log.warn("could not remember a gate fact", { type, error });
  }
}

function safelyReadActivity(type: string, event: unknown) {
  try {
    return readActivityPoints(type, event);
  } catch {
    throw new HttpError(400, `A ${type} event missing fields.`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "EventSub body is not valid JSON.");
  }
}
