import { EventSubDelivery } from "./EventSubDelivery";
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
  type TwitchStreamInput,
  type TwitchUser,
  type TwitchUserInput,
  twitchAppSchema,
  twitchChattersInputSchema,
  twitchStreamSchema,
  twitchUserSchema,
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
  }
}
