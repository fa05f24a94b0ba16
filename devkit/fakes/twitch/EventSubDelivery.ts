import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  type TwitchEventSubDelivery,
  type TwitchEventSubFault,
  type TwitchEventSubFaultInput,
  type TwitchEventSubSubscription,
  type TwitchUser,
  twitchEventSubFaultInputSchema,
} from "./twitchControlSchemas";

/** What Twitch waits for an answer ("a few seconds", platform facts §2.8); generous for loaded test machines. */
const answerTimeoutMilliseconds = 10_000;
/** A notification answered with a non-2xx (or not at all) is sent again this many times, later each time. */
const retryDelaysMilliseconds = [250, 1_000];
/** Past this many records the oldest are dropped, so a long `npm run dev` session stays small. */
const maximumRecords = 5_000;

export interface EventSubDeliveryHost {
  readonly eventSubSubscriptions: ReadonlyMap<string, TwitchEventSubSubscription>;
  readonly users: ReadonlyMap<string, TwitchUser>;
}

export interface StreamEventInput {
  broadcasterId: string;
  streamId: string;
  startedAt: string;
}

/** A Twitch account as events name it. */
export interface EventSubAccount {
  id: string;
  login: string;
  displayName: string;
}

export interface ChatMessageEventInput {
  chatter: EventSubAccount;
  messageId: string;
  text: string;
  color: string;
  badges: { set_id: string; id: string; info: string }[];
}

interface PendingMessage {
  messageId: string;
  messageType: "notification" | "webhook_callback_verification";
  subscription: TwitchEventSubSubscription;
  secret: string;
  body: string;
  /** Only for the challenge: the body the callback must answer. */
  challenge?: string;
}

/**
 * Twitch's side of EventSub webhooks: the challenge after a subscription is created, and
 * notifications to enabled subscriptions, signed with the subscription's secret
 * (`sha256=` HMAC-SHA256 over message id + timestamp + raw body, platform facts §2.8).
 * Everything is sent after the API call that caused it has been answered, as Twitch does.
 */
export class EventSubDelivery {
  enabled: boolean;
  private readonly secrets = new Map<string, string>();
  private faults: TwitchEventSubFault[] = [];
  private records: TwitchEventSubDelivery[] = [];
  private lastSequence = 0;
  private nextFaultNumber = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly host: EventSubDeliveryHost,
    private readonly now: () => number,
    enabled: boolean,
  ) {
    this.enabled = enabled;
  }

  /** The secret stays here, never in the subscription a listing shows. */
  rememberSecret(subscriptionId: string, secret: string): void {
    this.secrets.set(subscriptionId, secret);
  }

  forgetSubscription(subscriptionId: string): void {
    this.secrets.delete(subscriptionId);
  }

  /** After a webhook subscription is created: the challenge; the answer decides its status. */
  verify(subscription: TwitchEventSubSubscription): void {
    const secret = this.secrets.get(subscription.id);
    if (!this.enabled || secret === undefined) return;
    const challenge = randomBytes(24).toString("base64url");
    this.schedule({
      messageId: randomUUID(),
      messageType: "webhook_callback_verification",
      subscription,
      secret,
      challenge,
      body: JSON.stringify({ challenge, subscription: describeSubscription(subscription) }),
    });
  }

  notifyStreamOnline(input: StreamEventInput): void {
    const user = this.describeBroadcaster(input.broadcasterId);
    this.notify("stream.online", input.broadcasterId, {
      id: input.streamId,
      ...user,
      type: "live",
      started_at: input.startedAt,
    });
  }

  notifyStreamOffline(broadcasterId: string): void {
    this.notify("stream.offline", broadcasterId, this.describeBroadcaster(broadcasterId));
  }

  /**
   * `channel.follow` v2 (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelfollow):
   * `event: {user_id, user_login, user_name, broadcaster_user_*, followed_at}`.
   */
  notifyFollow(broadcasterId: string, follower: EventSubAccount, followedAt: string): number {
    return this.notify("channel.follow", broadcasterId, {
      user_id: follower.id,
      user_login: follower.login,
      user_name: follower.displayName,
      ...this.describeBroadcaster(broadcasterId),
      followed_at: followedAt,
    });
  }

  /**
   * `channel.subscribe` v1 (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelsubscribe):
   * `event: {user_*, broadcaster_user_*, tier, is_gift}`; not sent for resubscriptions.
   */
  notifySubscribe(broadcasterId: string, subscriber: EventSubAccount, tier: string, isGift: boolean): number {
    return this.notify("channel.subscribe", broadcasterId, {
      user_id: subscriber.id,
      user_login: subscriber.login,
      user_name: subscriber.displayName,
      ...this.describeBroadcaster(broadcasterId),
      tier,
      is_gift: isGift,
    });
  }

  /**
   * `channel.chat.message` v1 (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelchatmessage),
   * the event of the docs' example: a plain text message, one text fragment, no cheer, reply or
   * channel points; `source_*` null (no shared chat). Sent to every enabled subscription of the
   * broadcaster, whatever its `user_id` (each reading user gets the message).
   */
  notifyChatMessage(broadcasterId: string, message: ChatMessageEventInput): number {
    return this.notify("channel.chat.message", broadcasterId, {
      ...this.describeBroadcaster(broadcasterId),
      chatter_user_id: message.chatter.id,
      chatter_user_login: message.chatter.login,
      chatter_user_name: message.chatter.displayName,
      message_id: message.messageId,
      message: {
        text: message.text,
        fragments: [{ type: "text", text: message.text, cheermote: null, emote: null, mention: null }],
      },
      color: message.color,
      badges: message.badges,
      message_type: "text",
      cheer: null,
      reply: null,
      channel_points_custom_reward_id: null,
      channel_points_animation_id: null,
      source_broadcaster_user_id: null,
      source_broadcaster_user_login: null,
      source_broadcaster_user_name: null,
      source_message_id: null,
      source_badges: null,
    });
  }

  addFault(input: TwitchEventSubFaultInput): TwitchEventSubFault {
    const parsed = twitchEventSubFaultInputSchema.parse(input);
    const fault = { ...parsed, id: `eventsub-fault-${this.nextFaultNumber}`, remaining: parsed.times };
    this.nextFaultNumber += 1;
    this.faults.push(fault);
    return { ...fault };
  }

  listFaults(): TwitchEventSubFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  removeFault(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    return this.faults.length !== before;
  }

  listDeliveries(filter: { since?: number; subscriptionId?: string; broadcasterId?: string; messageType?: string }): {
    deliveries: TwitchEventSubDelivery[];
    lastSequence: number;
  } {
    const deliveries = this.records.filter(
      (record) =>
        (filter.since === undefined || record.sequence > filter.since) &&
        (filter.subscriptionId === undefined || record.subscriptionId === filter.subscriptionId) &&
        (filter.broadcasterId === undefined || record.broadcasterId === filter.broadcasterId) &&
        (filter.messageType === undefined || record.messageType === filter.messageType),
    );
    return { deliveries, lastSequence: this.lastSequence };
  }

  /** Forgets secrets, faults and records; what is already under way is cancelled. */
  clear(): void {
    this.cancelPending();
    this.secrets.clear();
    this.faults = [];
    this.records = [];
  }

  stop(): void {
    this.stopped = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  /** Schedules the notification for every enabled subscription of the type and broadcaster; returns how many. */
  private notify(type: string, broadcasterId: string, event: Record<string, unknown>): number {
    if (!this.enabled) return 0;
    let count = 0;
    for (const subscription of this.host.eventSubSubscriptions.values()) {
      const secret = this.secrets.get(subscription.id);
      if (subscription.type !== type || subscription.status !== "enabled" || secret === undefined) continue;
      if (subscription.condition.broadcaster_user_id !== broadcasterId) continue;
      this.schedule({
        messageId: randomUUID(),
        messageType: "notification",
        subscription,
        secret,
        body: JSON.stringify({ subscription: describeSubscription(subscription), event }),
      });
      count += 1;
    }
    return count;
  }

  private describeBroadcaster(broadcasterId: string) {
    const user = this.host.users.get(broadcasterId);
    return {
      broadcaster_user_id: broadcasterId,
      broadcaster_user_login: user?.login ?? broadcasterId,
      broadcaster_user_name: user?.displayName ?? user?.login ?? broadcasterId,
    };
  }

  /** Applies the first matching fault, then sends on a later turn of the event loop. */
  private schedule(message: PendingMessage): void {
    const fault = this.takeFault(message);
    if (fault?.kind === "drop") {
      this.addRecord(message, 0, new Date(this.now()).toISOString(), {
        outcome: "dropped",
        status: null,
        detail: `dropped by ${fault.id}`,
      });
      return;
    }
    const delay = fault?.kind === "delay" ? fault.delayMilliseconds : 0;
    this.later(delay, () => this.send(message, 0, false));
    if (fault?.kind === "duplicate") this.later(delay, () => this.send(message, 0, true));
  }

  private takeFault(message: PendingMessage): TwitchEventSubFault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.messageType === undefined || candidate.messageType === message.messageType) &&
        (candidate.subscriptionType === undefined || candidate.subscriptionType === message.subscription.type) &&
        (candidate.broadcasterId === undefined ||
          Object.values(message.subscription.condition).includes(candidate.broadcasterId)),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  private later(milliseconds: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run().catch((error: unknown) => console.error("[twitch fake] EventSub delivery crashed", error));
    }, milliseconds);
    this.timers.add(timer);
  }

  private async send(message: PendingMessage, retry: number, duplicate: boolean): Promise<void> {
    const timestamp = formatTwitchTimestamp(this.now());
    const signature = createHmac("sha256", message.secret)
      .update(message.messageId + timestamp + message.body)
      .digest("hex");
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), answerTimeoutMilliseconds);
    let status: number | null = null;
    let detail: string | null = null;
    let answered = false;
    try {
      const response = await fetch(message.subscription.transport.callback, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Twitch-Eventsub-Fake/1.0",
          "twitch-eventsub-message-id": message.messageId,
          "twitch-eventsub-message-retry": String(retry),
          "twitch-eventsub-message-type": message.messageType,
          "twitch-eventsub-message-signature": `sha256=${signature}`,
          "twitch-eventsub-message-timestamp": timestamp,
          "twitch-eventsub-subscription-type": message.subscription.type,
          "twitch-eventsub-subscription-version": message.subscription.version,
        },
        body: message.body,
        redirect: "manual",
        signal: controller.signal,
      });
      status = response.status;
      const text = await response.text();
      answered = response.status >= 200 && response.status < 300;
      if (message.challenge !== undefined && answered) {
        const contentType = response.headers.get("content-type") ?? "";
        if (text !== message.challenge) {
          answered = false;
          detail = "the answer's body is not the challenge";
        } else if (contentType !== "" && !contentType.toLowerCase().startsWith("text/plain")) {
          answered = false;
          detail = `the challenge must be answered as text/plain, not ${contentType}`;
        }
      } else if (!answered) {
        detail = text.slice(0, 200);
      }
    } catch (error) {
      detail = this.stopped
        ? "the fake stopped"
        : `no answer: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    this.addRecord(
      message,
      retry,
      timestamp,
      { outcome: answered ? "delivered" : "failed", status, detail },
      duplicate,
    );

    if (message.challenge !== undefined) {
      // A duplicate challenge answered after the first one changes nothing.
      if (!duplicate || answered) {
        message.subscription.status = answered ? "enabled" : "webhook_callback_verification_failed";
      }
      return;
    }
    const nextDelay = retryDelaysMilliseconds[retry];
    if (!answered && !duplicate && nextDelay !== undefined && !this.stopped) {
      this.later(nextDelay, () => this.send(message, retry + 1, false));
    }
  }

  private addRecord(
    message: PendingMessage,
    retry: number,
    timestamp: string,
    result: Pick<TwitchEventSubDelivery, "outcome" | "status" | "detail">,
    duplicate = false,
  ): void {
    this.lastSequence += 1;
    this.records.push({
      sequence: this.lastSequence,
      messageId: message.messageId,
      messageType: message.messageType,
      retry,
      subscriptionId: message.subscription.id,
      subscriptionType: message.subscription.type,
      broadcasterId: Object.values(message.subscription.condition)[0] ?? "",
      callback: message.subscription.transport.callback,
      timestamp,
      body: message.body,
      ...result,
      duplicate,
    });
    if (this.records.length > maximumRecords) this.records.splice(0, this.records.length - maximumRecords);
  }
}

/** The subscription as Twitch shows it, without the fake's owner field. */
export function describeSubscription(subscription: TwitchEventSubSubscription) {
  const { clientId: _owner, ...wire } = subscription;
  return wire;
}

/** RFC3339 with nanoseconds, as Twitch sends it: `2021-02-19T23:47:00.809151200Z`. */
export function formatTwitchTimestamp(milliseconds: number): string {
  const nanoseconds = String(Math.floor(Math.random() * 1_000_000)).padStart(6, "0");
  return `${new Date(milliseconds).toISOString().slice(0, 23)}${nanoseconds}Z`;
}
