import type { AppContext } from "../context";
import { recordEventSubMessage, recordStreamLiveness } from "../db/eventSubMessages";
import { HttpError } from "../errors";
import {
  notificationBodySchema,
  revocationBodySchema,
  streamEventSchema,
  verificationBodySchema,
} from "./eventsub.external";
import { verifyEventSubMessage } from "./verifyEventSubMessage";

/**
 * POST /twitch/eventsub. Verified before parsing; a message id seen before is acknowledged
 * and not processed again. The dedup record lives in Postgres, in the same statement as the
 * effect, so it survives a Redis outage and a failed effect is retried by Twitch.
 */
export async function handleEventSub(request: Request, app: AppContext): Promise<Response> {
  const envelope = await verifyEventSubMessage(request, app.config.twitchEventSubSecret, app.now());
  const json = parseJson(envelope.body);
  if (envelope.messageType === "webhook_callback_verification") {
    const body = verificationBodySchema.safeParse(json);
    if (!body.success) throw new HttpError(400, "Not an EventSub verification body.");
    app.log.info("EventSub subscription verified", { type: body.data.subscription.type });
    return new Response(body.data.challenge, { status: 200, headers: { "content-type": "text/plain" } });
  }
  if (envelope.messageType === "revocation") {
    const body = revocationBodySchema.safeParse(json);
    if (!body.success) throw new HttpError(400, "Not an EventSub revocation body.");
    const isNew = await recordEventSubMessage(app.database, envelope);
    if (isNew) {
      app.log.warn("EventSub subscription revoked", {
        type: body.data.subscription.type,
        status: body.data.subscription.status,
        broadcasterId: body.data.subscription.condition.broadcaster_user_id,
      });
    }
    return new Response(null, { status: 204 });
  }
  if (envelope.messageType !== "notification") return new Response(null, { status: 204 });
  const body = notificationBodySchema.safeParse(json);
  if (!body.success) throw new HttpError(400, "Not an EventSub notification body.");
  const type = body.data.subscription.type;
  if (type === "stream.online" || type === "stream.offline") {
    const event = streamEventSchema.safeParse(body.data.event);
    if (!event.success) throw new HttpError(400, "A stream event without broadcaster_user_id.");
    const outcome = await recordStreamLiveness(app.database, envelope, {
      broadcasterId: event.data.broadcaster_user_id,
      isLive: type === "stream.online",
      now: app.now(),
    });
    app.log.info("stream liveness from EventSub", { type, duplicate: !outcome.isNew, raffles: outcome.raffles });
  } else {
    await recordEventSubMessage(app.database, envelope);
  }
  return new Response(null, { status: 204 });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "EventSub body is not valid JSON.");
  }
}
