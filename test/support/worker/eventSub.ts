import { testCredentials } from "../../../devkit/localBindings";
import type { WorkerBindings } from "../../../worker/env";
import { callWorker } from "./callWorker";
import { bytesToHex } from "./signInteraction";

/** HMAC-SHA256 over id + timestamp + body, as Twitch signs EventSub messages. */
export async function signEventSub(
  id: string,
  timestamp: string,
  body: string,
  secret: string = testCredentials.twitchEventSubSecret,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(id + timestamp + body));
  return `sha256=${bytesToHex(new Uint8Array(signature))}`;
}

export interface EventSubSubscriptionShape {
  id: string;
  type: string;
  version: string;
  status: string;
  condition: Record<string, string>;
}

/** Delivers one signed EventSub message to the Worker, as Twitch would. */
export async function deliverEventSub(
  messageType: "notification" | "webhook_callback_verification" | "revocation",
  subscription: EventSubSubscriptionShape,
  extra: {
    event?: Record<string, unknown>;
    challenge?: string;
    id?: string;
    /** Twitch-Eventsub-Message-Timestamp; now unless a test sends a late message. */
    sentAt?: number;
    bindings?: Partial<WorkerBindings>;
  } = {},
): Promise<Response> {
  const id = extra.id ?? crypto.randomUUID();
  const timestamp = new Date(extra.sentAt ?? Date.now()).toISOString();
  const payload = {
    subscription: {
      ...subscription,
      cost: 0,
      transport: { method: "webhook", callback: `${testCredentials.publicBaseUrl}/twitch/eventsub` },
      created_at: timestamp,
    },
    ...(extra.event ? { event: extra.event } : {}),
    ...(extra.challenge ? { challenge: extra.challenge } : {}),
  };
  const body = JSON.stringify(payload);
  return callWorker(
    new Request(`${testCredentials.publicBaseUrl}/twitch/eventsub`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "twitch-eventsub-message-id": id,
        "twitch-eventsub-message-retry": "0",
        "twitch-eventsub-message-type": messageType,
        "twitch-eventsub-message-signature": await signEventSub(id, timestamp, body),
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-subscription-type": subscription.type,
        "twitch-eventsub-subscription-version": subscription.version,
      },
      body,
    }),
    extra.bindings,
  );
}
