import type { AppContext } from "../context";
import { recordStreamEvent } from "../db/channelLiveness";
import { recordEventSubMessage } from "../db/eventSubMessages";
import { recordVerification, updateSubscriptionStatus } from "../db/eventSubSubscriptions";
import { readGuildLocale } from "../db/guilds";
import { findActiveRaffle } from "../db/raffles";
import { awardPoints } from "../db/viewerPoints";
import { createChannelMessage } from "../discord/DiscordRestClient";
import { HttpError } from "../errors";
import { resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";
import {
  notificationBodySchema,
  revocationBodySchema,
  streamEventSchema,
  verificationBodySchema,
} from "./eventsub.external";
import { readActivityPoints } from "./readActivityPoints";
import { type EventSubEnvelope, parseTwitchTimestamp, verifyEventSubMessage } from "./verifyEventSubMessage";

/** Without these, LiveLoot cannot see the stream go live or offline by itself. */
const neededSubscriptionTypes = new Set(["stream.online", "stream.offline"]);

/**
 * POST /twitch/eventsub. Verified before parsing; a message id seen before is acknowledged
 * and not processed again. The dedup record lives in Postgres, in the same statement as the
 * effect, so it survives a Redis outage and a failed effect is retried by Twitch.
 */
export async function handleEventSub(request: Request, app: AppContext): Promise<Response> {
  const envelope = await verifyEventSubMessage(request, app.config.twitchEventSubSecret, app.now());
  const json = parseJson(envelope.body);
  if (envelope.messageType === "webhook_callback_verification") return answerChallenge(app, json);
  if (envelope.messageType === "revocation") {
    await recordRevocation(app, envelope, json);
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

/** Records the new status; a needed subscription lost is told to the guild's raffle channel, once. */
async function recordRevocation(app: AppContext, envelope: EventSubEnvelope, json: unknown): Promise<void> {
  const body = revocationBodySchema.safeParse(json);
  if (!body.success) throw new HttpError(400, "Not an EventSub revocation body.");
  const { subscription } = body.data;
  if (!(await recordEventSubMessage(app.database, envelope))) return;
  const updated = await updateSubscriptionStatus(app.database, subscription.id, subscription.status);
  app.log.warn("EventSub subscription revoked", { type: subscription.type, reason: subscription.status });
  if (!updated?.changed || !neededSubscriptionTypes.has(subscription.type)) return;
  // One subscription serves every guild linking the channel: each is told.
  for (const guildId of updated.guildIds) await tellRevocation(app, guildId, subscription);
}

async function tellRevocation(app: AppContext, guildId: string, subscription: { id: string; status: string }) {
  const raffle = await findActiveRaffle(app.database, guildId);
  if (!raffle) return;
  try {
    const locale = resolveLocale(await readGuildLocale(app.database, guildId));
    await createChannelMessage(
      app.config,
      raffle.discordChannelId,
      { content: translate(locale, "eventSubRevokedNotice", { reason: subscription.status }) },
      `revoked-${subscription.id}`.slice(0, 25),
    );
  } catch (error) {
    app.log.warn("could not tell the guild about a revoked subscription", { guildId, error: describeError(error) });
  }
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
