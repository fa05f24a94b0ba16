import type { StoredSubscription } from "../db/eventSubSubscriptions";
import { type Locale, type MessageKey, translate } from "../i18n/translate";

/**
 * Twitch's subscription statuses (Get EventSub Subscriptions) in words. The websocket_* and
 * conduit statuses are left out: LiveLoot subscribes by webhook only, so they cannot occur.
 */
const statusKeys: Record<string, MessageKey> = {
  enabled: "eventSubStatusEnabled",
  webhook_callback_verification_pending: "eventSubStatusVerificationPending",
  webhook_callback_verification_failed: "eventSubStatusVerificationFailed",
  notification_failures_exceeded: "eventSubStatusNotificationFailuresExceeded",
  authorization_revoked: "eventSubStatusAuthorizationRevoked",
  moderator_removed: "eventSubStatusModeratorRemoved",
  user_removed: "eventSubStatusUserRemoved",
  chat_user_banned: "eventSubStatusChatUserBanned",
  version_removed: "eventSubStatusVersionRemoved",
  beta_maintenance: "eventSubStatusBetaMaintenance",
};

/** The subscription types LiveLoot creates (twitch/eventSubSubscriptions.ts), in words. */
const typeKeys: Record<string, MessageKey> = {
  "stream.online": "eventSubTypeStreamOnline",
  "stream.offline": "eventSubTypeStreamOffline",
  "channel.follow": "eventSubTypeChannelFollow",
  "channel.subscribe": "eventSubTypeChannelSubscribe",
  "channel.subscription.gift": "eventSubTypeChannelSubscriptionGift",
  "channel.cheer": "eventSubTypeChannelCheer",
  "channel.raid": "eventSubTypeChannelRaid",
  "channel.chat.message": "eventSubTypeChannelChatMessage",
};

/** One line per EventSub subscription for /twitch status: ✅ active, ⏳ being verified, ⚠️ stopped. */
export function describeSubscriptions(locale: Locale, subscriptions: StoredSubscription[]): string {
  if (subscriptions.length === 0) return translate(locale, "twitchEventSubNone");
  return subscriptions
    .map((subscription) =>
      translate(locale, "eventSubLine", {
        icon: chooseStatusIcon(subscription.status),
        type: describeSubscriptionType(locale, subscription.type),
        status: describeSubscriptionStatus(locale, subscription.status),
      }),
    )
    .join("\n");
}

/** A Twitch subscription status as a short phrase; an unknown one is quoted as Twitch sent it. */
export function describeSubscriptionStatus(locale: Locale, status: string): string {
  const key = Object.hasOwn(statusKeys, status) ? statusKeys[status] : undefined;
  return key ? translate(locale, key) : translate(locale, "eventSubStatusUnknown", { status });
}

/** What a subscription tells LiveLoot about, in words; an unknown type is shown as code. */
export function describeSubscriptionType(locale: Locale, type: string): string {
  const key = Object.hasOwn(typeKeys, type) ? typeKeys[type] : undefined;
  return key ? translate(locale, key) : `\`${type}\``;
}

function chooseStatusIcon(status: string): string {
  if (status === "enabled") return "✅";
  return status.endsWith("_pending") ? "⏳" : "⚠️";
}
