import { randomUUID } from "node:crypto";
import { FakeHttpError } from "../shared/FakeHttpError";
import { createJsonResponse } from "../shared/FakeResponse";
import { type EventSubAccount, EventSubDelivery } from "./EventSubDelivery";
import { TwitchRateLimiter } from "./TwitchRateLimiter";
import { TwitchTokenStore } from "./TwitchTokenStore";
import {
  type TwitchApp,
  type TwitchAppInput,
  type TwitchChatMessage,
  type TwitchChatter,
  type TwitchChattersInput,
  type TwitchDropReason,
  type TwitchEventSubSubscription,
  type TwitchFollow,
  type TwitchFollowInput,
  type TwitchStreamInput,
  type TwitchSubscription,
  type TwitchSubscriptionInput,
  type TwitchUser,
  type TwitchUserInput,
  type TwitchViewerChatMessageInput,
  type TwitchViewerChatMessageResult,
  twitchAppSchema,
  twitchChattersInputSchema,
  twitchFollowInputSchema,
  twitchStreamSchema,
  twitchSubscriptionInputSchema,
  twitchUserSchema,
  twitchViewerChatMessageInputSchema,
} from "./twitchControlSchemas";

export interface TwitchStream {
  id: string;
  broadcasterId: string;
  title: string;
  gameId: string;
  gameName: string;
  viewerCount: number;
  startedAt: string;
  language: string;
  tags: string[];
}

export interface TwitchFakeOptions {
  /** 0 or omitted: a free port. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Exact redirect URIs of the default app; omitted: any redirect URI is accepted. */
  redirectUris?: string[];
  /**
   * Send EventSub challenges and notifications to the subscriptions' callbacks (default off; also
   * `PUT /_control/settings`). Worker tests in workerd cannot be reached, so they leave it off.
   */
  eventSubDelivery?: boolean;
  /**
   * Twitch's clock, for EventSub message timestamps and a stream's default `started_at`; default
   * the wall clock. `npm run dev` passes its simulated clock, which the Worker follows too.
   */
  now?: () => number;
}

/** Everything the Twitch fake knows. Tests share one instance, so every map is keyed by ids they choose. */
export class TwitchState {
  readonly apps = new Map<string, TwitchApp>();
  readonly users = new Map<string, TwitchUser>();
  /** Live streams by broadcaster id; absent means offline. */
  readonly streams = new Map<string, TwitchStream>();
  readonly chatters = new Map<string, TwitchChatter[]>();
  readonly moderators = new Map<string, Set<string>>();
  readonly tokens = new TwitchTokenStore();
  readonly rateLimiter = new TwitchRateLimiter();
  readonly eventSubSubscriptions = new Map<string, TwitchEventSubSubscription>();
  readonly chatMessages: TwitchChatMessage[] = [];
  /** Broadcasters whose chat drops every message with this reason. */
  readonly chatDropReasons = new Map<string, TwitchDropReason>();
  /** Follows by broadcaster, then by follower id. */
  readonly follows = new Map<string, Map<string, TwitchFollow>>();
  /** Subscriptions by broadcaster, then by subscriber id, in the order they were made. */
  readonly subscriptions = new Map<string, Map<string, TwitchSubscription>>();
  /** Twitch's side of EventSub webhooks: challenges and notifications (off unless enabled). */
  readonly eventSub: EventSubDelivery;
  readonly now: () => number;
  private nextStreamNumber = 1;
  private readonly defaultApp: TwitchApp;
  private readonly defaultEventSubDelivery: boolean;

  constructor(options: TwitchFakeOptions = {}) {
    this.now = options.now ?? Date.now;
    this.defaultEventSubDelivery = options.eventSubDelivery ?? false;
    this.eventSub = new EventSubDelivery(this, this.now, this.defaultEventSubDelivery);
    this.defaultApp = twitchAppSchema.parse({
      clientId: options.clientId ?? "fake-twitch-client-id",
      clientSecret: options.clientSecret ?? "fake-twitch-client-secret",
      redirectUris: options.redirectUris ?? [],
    });
    this.registerApp(this.defaultApp);
  }

  registerApp(input: TwitchAppInput): TwitchApp {
    const app = twitchAppSchema.parse(input);
    this.apps.set(app.clientId, app);
    return app;
  }

  upsertUser(input: TwitchUserInput): TwitchUser {
    const user = twitchUserSchema.parse(input);
    this.users.set(user.id, user);
    return user;
  }

  findUserByLogin(login: string): TwitchUser | undefined {
    const lowerLogin = login.toLowerCase();
    return [...this.users.values()].find((user) => user.login.toLowerCase() === lowerLogin);
  }

  /**
   * The Twitch id a login already has here: a user's, else a chatter's (this broadcaster's chat
   * first, then any other). A login is one account on Twitch, so its id never changes.
   */
  findIdByLogin(login: string, broadcasterId?: string): string | undefined {
    const lowerLogin = login.toLowerCase();
    const user = this.findUserByLogin(lowerLogin);
    if (user !== undefined) return user.id;
    const lists = [
      ...(broadcasterId === undefined ? [] : [this.chatters.get(broadcasterId) ?? []]),
      ...this.chatters.values(),
    ];
    for (const chatters of lists) {
      const chatter = chatters.find((candidate) => candidate.login.toLowerCase() === lowerLogin);
      if (chatter !== undefined) return chatter.id;
    }
    return undefined;
  }

  /**
   * Who the consent page offers to sign in as: every user, then viewers in any chat who are not users
   * yet (the playground's "Who is in chat"), at most `chatterLimit` of them, so a viewer can sign in.
   */
  listSignInAccounts(chatterLimit = 100): TwitchUser[] {
    const accounts = [...this.users.values()];
    const seen = new Set(accounts.map((user) => user.id));
    for (const chatters of this.chatters.values()) {
      for (const chatter of chatters) {
        if (seen.size >= this.users.size + chatterLimit) return accounts;
        if (seen.has(chatter.id)) continue;
        seen.add(chatter.id);
        accounts.push(twitchUserSchema.parse(chatter));
      }
    }
    return accounts;
  }

  /**
   * The account a consent decision signs in as: a user, or a viewer in chat (who becomes a user, as a
   * chatter is a Twitch account), or for a typed login its known id (a chatter's) or a new one.
   */
  resolveSignInAccount(choice: { userId?: string; login?: string }): TwitchUser | undefined {
    if (choice.login !== undefined) {
      const existing = this.findUserByLogin(choice.login);
      if (existing !== undefined) return existing;
      const id = this.findIdByLogin(choice.login) ?? this.createUnusedUserId();
      const chatter = this.findChatter(id);
      return this.upsertUser({ id, login: choice.login, displayName: chatter?.displayName ?? choice.login });
    }
    if (choice.userId === undefined) return undefined;
    const user = this.users.get(choice.userId);
    if (user !== undefined) return user;
    const chatter = this.findChatter(choice.userId);
    return chatter === undefined ? undefined : this.upsertUser(chatter);
  }

  /** A user, else a chatter of any channel, as events and Helix lists name them; undefined when unknown. */
  findAccount(id: string): EventSubAccount | undefined {
    const known = this.users.get(id) ?? this.findChatter(id);
    if (known === undefined) return undefined;
    return { id: known.id, login: known.login, displayName: known.displayName ?? known.login };
  }

  /** Like `findAccount`, for the control API: 404 with an explanation when nobody has that id. */
  requireAccount(id: string, role: string): EventSubAccount {
    const account = this.findAccount(id);
    if (account === undefined) {
      throw new FakeHttpError(
        createJsonResponse(404, {
          error: `unknown ${role} ${id}: add them first with upsertUsers or setChatters (a follow, sub or chat message needs a Twitch account)`,
        }),
      );
    }
    return account;
  }

  /**
   * Adds or moves follows. A viewer who did not follow yet triggers `channel.follow`; changing the
   * time of an existing follow does not (Twitch sends the event once, when the follow happens).
   */
  setFollows(broadcasterId: string, inputs: TwitchFollowInput[]): TwitchFollow[] {
    const parsed = inputs.map((input) => twitchFollowInputSchema.parse(input));
    const accounts = parsed.map((input) => this.requireAccount(input.userId, "follower"));
    const follows = this.follows.get(broadcasterId) ?? new Map<string, TwitchFollow>();
    this.follows.set(broadcasterId, follows);
    return parsed.map((input, index) => {
      const isNew = !follows.has(input.userId);
      const follow: TwitchFollow = {
        broadcasterId,
        userId: input.userId,
        followedAt: input.followedAt ?? formatSeconds(this.now()),
      };
      follows.set(input.userId, follow);
      const account = accounts[index];
      if (isNew && account !== undefined) this.eventSub.notifyFollow(broadcasterId, account, follow.followedAt);
      return follow;
    });
  }

  /** Unfollows; Twitch has no unfollow event. False when the viewer did not follow. */
  removeFollow(broadcasterId: string, userId: string): boolean {
    return this.follows.get(broadcasterId)?.delete(userId) ?? false;
  }

  /** A new subscriber triggers `channel.subscribe`; changing tier or gift of an existing one does not. */
  setSubscriptions(broadcasterId: string, inputs: TwitchSubscriptionInput[]): TwitchSubscription[] {
    const parsed = inputs.map((input) => twitchSubscriptionInputSchema.parse(input));
    const accounts = parsed.map((input) => this.requireAccount(input.userId, "subscriber"));
    for (const input of parsed) if (input.gifterId !== undefined) this.requireAccount(input.gifterId, "gifter");
    const broadcasterLogin = this.findAccount(broadcasterId)?.login ?? broadcasterId;
    const subscriptions = this.subscriptions.get(broadcasterId) ?? new Map<string, TwitchSubscription>();
    this.subscriptions.set(broadcasterId, subscriptions);
    return parsed.map((input, index) => {
      const isNew = !subscriptions.has(input.userId);
      const subscription: TwitchSubscription = {
        broadcasterId,
        userId: input.userId,
        tier: input.tier,
        isGift: input.isGift,
        gifterId: input.isGift ? (input.gifterId ?? null) : null,
        planName: input.planName ?? `Channel Subscription (${broadcasterLogin})`,
      };
      subscriptions.set(input.userId, subscription);
      const account = accounts[index];
      if (isNew && account !== undefined)
        this.eventSub.notifySubscribe(broadcasterId, account, subscription.tier, subscription.isGift);
      return subscription;
    });
  }

  /** Ends a subscription (Twitch's `channel.subscription.end` is not emulated). False when there was none. */
  removeSubscription(broadcasterId: string, userId: string): boolean {
    return this.subscriptions.get(broadcasterId)?.delete(userId) ?? false;
  }

  /** Sets Get Users `created_at`; a chatter who is not a user yet becomes one (a chatter is a Twitch account). */
  setUserCreatedAt(userId: string, createdAt: string): TwitchUser {
    const user = this.users.get(userId) ?? this.findChatter(userId);
    if (user === undefined) this.requireAccount(userId, "user");
    return this.upsertUser({ ...user, id: userId, login: user?.login ?? userId, createdAt });
  }

  /** A viewer chats: `channel.chat.message` goes to every enabled subscription of the broadcaster. */
  postViewerChatMessage(broadcasterId: string, input: TwitchViewerChatMessageInput): TwitchViewerChatMessageResult {
    const message = twitchViewerChatMessageInputSchema.parse(input);
    const known = this.findAccount(message.chatterId);
    const login = message.chatterLogin ?? known?.login;
    const chatter =
      login === undefined
        ? this.requireAccount(message.chatterId, "chatter")
        : { id: message.chatterId, login, displayName: message.chatterDisplayName ?? known?.displayName ?? login };
    const messageId = message.messageId ?? randomUUID();
    const notifiedSubscriptions = this.eventSub.notifyChatMessage(broadcasterId, {
      chatter,
      messageId,
      text: message.text,
      color: message.color,
      badges: message.badges,
    });
    return { messageId, notifiedSubscriptions };
  }

  private findChatter(id: string): TwitchChatter | undefined {
    for (const chatters of this.chatters.values()) {
      const chatter = chatters.find((candidate) => candidate.id === id);
      if (chatter !== undefined) return chatter;
    }
    return undefined;
  }

  /** A numeric id no user has yet, for logins typed on the consent page. */
  createUnusedUserId(): string {
    let candidate = 900_000_000 + this.users.size;
    while (this.users.has(String(candidate))) candidate += 1;
    return String(candidate);
  }

  setLive(broadcasterId: string, input: TwitchStreamInput = {}): TwitchStream {
    const stream = twitchStreamSchema.parse(input);
    const previous = this.streams.get(broadcasterId);
    const live: TwitchStream = {
      id: previous?.id ?? `4${String(this.nextStreamNumber++).padStart(10, "0")}`,
      broadcasterId,
      title: stream.title,
      gameId: stream.gameId,
      gameName: stream.gameName,
      viewerCount: stream.viewerCount,
      startedAt:
        stream.startedAt ?? previous?.startedAt ?? new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      language: stream.language,
      tags: stream.tags,
    };
    this.streams.set(broadcasterId, live);
    // Twitch tells subscribers when a stream starts, not when its title changes.
    if (previous === undefined)
      this.eventSub.notifyStreamOnline({ broadcasterId, streamId: live.id, startedAt: live.startedAt });
    return live;
  }

  setOffline(broadcasterId: string): void {
    if (this.streams.delete(broadcasterId)) this.eventSub.notifyStreamOffline(broadcasterId);
  }

  setChatters(broadcasterId: string, input: TwitchChattersInput): number {
    const parsed = twitchChattersInputSchema.parse(input);
    const chatters =
      "chatters" in parsed
        ? parsed.chatters
        : Array.from({ length: parsed.count }, (_, index) => {
            const number = String(index + 1).padStart(5, "0");
            return { id: `${broadcasterId}${number}`, login: `${parsed.loginPrefix}${number}` };
          });
    this.chatters.set(broadcasterId, chatters);
    return chatters.length;
  }

  addModerator(broadcasterId: string, moderatorId: string): void {
    const moderators = this.moderators.get(broadcasterId) ?? new Set<string>();
    moderators.add(moderatorId);
    this.moderators.set(broadcasterId, moderators);
  }

  isModerator(broadcasterId: string, userId: string): boolean {
    return this.moderators.get(broadcasterId)?.has(userId) ?? false;
  }

  reset(): void {
    this.apps.clear();
    this.registerApp(this.defaultApp);
    this.users.clear();
    this.streams.clear();
    this.chatters.clear();
    this.moderators.clear();
    this.tokens.clear();
    this.rateLimiter.clear();
    this.eventSubSubscriptions.clear();
    this.eventSub.clear();
    this.eventSub.enabled = this.defaultEventSubDelivery;
    this.chatMessages.length = 0;
    this.chatDropReasons.clear();
    this.follows.clear();
    this.subscriptions.clear();
  }
}

/** RFC3339 to the second, as Helix writes `followed_at`: `2022-05-24T22:22:08Z`. */
function formatSeconds(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, "Z");
}
