/**
 * The JSON the playground page and the dev server (scripts/dev/startPlaygroundServer.ts) exchange.
 * Types only: the page is bundled for the browser, the server runs in Node.
 */

export type PlaygroundLocale = "en-US" | "pt-BR";

/** Who runs the command, as Discord would describe them in `member`. */
export interface PlaygroundUser {
  name: string;
  manageServer: boolean;
  locale: PlaygroundLocale;
}

/** Discord's application command JSON, as `listCommandDefinitions()` returns it. */
export interface CommandDefinitionJson {
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
  options?: CommandOptionJson[];
}

export interface CommandOptionJson {
  type: number;
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
  choices?: { name: string; value: string | number }[];
  options?: CommandOptionJson[];
}

export interface PlaygroundChannel {
  id: string;
  name: string;
}

export interface PlaygroundSetup {
  commands: CommandDefinitionJson[];
  guild: { id: string; name: string };
  channels: PlaygroundChannel[];
  workerUrl: string;
  locales: PlaygroundLocale[];
}

/** One option the user filled in; sub-command (group) nesting is the server's job. */
export interface OptionInput {
  name: string;
  type: number;
  /** For an attachment option (type 11), the file's name; the dev server uploads `file` to the Discord fake. */
  value: string | number | boolean;
  file?: FileInput;
}

/** A file picked for an attachment option, read as text in the browser. */
export interface FileInput {
  filename: string;
  contentType: string;
  content: string;
}

export interface CommandInput {
  user: PlaygroundUser;
  channelId: string;
  command: string;
  subcommandGroup?: string;
  subcommand?: string;
  options: OptionInput[];
}

export interface AutocompleteInput extends CommandInput {
  /** The option being typed; its current text is in `options`. */
  focused: string;
}

export interface AutocompleteResult {
  choices: { name: string; value: string | number }[];
}

/** A message as the fake Discord stores it (the fields the page renders). */
export interface MessageView {
  id: string;
  channelId: string;
  content: string;
  embeds: EmbedView[];
  components: unknown[];
  flags: number;
  timestamp: string;
  edited: boolean;
  /** Files attached to the message, served by the Discord fake. */
  attachments: { filename: string; url: string }[];
}

export interface EmbedView {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  timestamp?: string;
}

/** One command the page sent and what became of it. */
export interface ConversationEntry {
  id: string;
  sentAt: string;
  userName: string;
  channelId: string;
  /** `/loot add name:Sword weight:10` */
  commandLine: string;
  /**
   * `answered`: a message; `thinking`: deferred and not edited yet; `rejected`: the Worker answered
   * with an HTTP error (e.g. a bad signature); `unreachable`: no answer at all.
   */
  phase: "answered" | "thinking" | "rejected" | "unreachable";
  httpStatus?: number;
  error?: string;
  ephemeral: boolean;
  message?: MessageView;
  followUps: MessageView[];
}

export interface TwitchUserView {
  id: string;
  login: string;
  displayName: string;
  live: boolean;
  chatterLogins: string[];
}

export interface TickView {
  scheduledTime: number;
  trigger: "minute" | "manual";
  outcome: string;
  durationMilliseconds: number;
  detail?: string;
}

export interface PlaygroundState {
  clock: { now: number; advancedMinutes: number; ticks: TickView[] };
  twitch: { users: TwitchUserView[] };
  conversation: ConversationEntry[];
  channels: (PlaygroundChannel & { messages: MessageView[] })[];
}

export type SubscriptionTier = "1000" | "2000" | "3000";

/**
 * What a raffle gate can ask Twitch about one viewer of a channel, read back from the Twitch fake:
 * the follow (Get Channel Followers), the subscription (Get Broadcaster Subscriptions), the
 * account's `created_at` (Get Users) and the last time they chatted (`channel.chat.message`).
 */
export interface ViewerView {
  id: string;
  login: string;
  displayName: string;
  /** In the channel's Get Chatters list now (a follower or subscriber may have left chat). */
  inChat: boolean;
  /** Get Users `created_at`; null while the fake knows the viewer only as a chatter (Get Users omits them). */
  createdAt: string | null;
  follow: { followedAt: string } | null;
  subscription: { tier: SubscriptionTier; isGift: boolean } | null;
  lastChat: LastChatView | null;
}

export interface LastChatView {
  /** Simulated time of the message. */
  at: string;
  text: string;
  /**
   * What became of its `channel.chat.message` notification: `delivered` (the callback answered 2xx),
   * `failed`, `dropped` (a fault), `pending` (not sent yet), `unsubscribed` (no enabled
   * subscription of that channel: nobody was told), `sent-by-api` (sent through Helix Send Chat Message).
   */
  delivery: "delivered" | "failed" | "dropped" | "pending" | "unsubscribed" | "sent-by-api";
}

export interface ViewersView {
  broadcasterId: string;
  /** The simulated now the times were read at. */
  now: number;
  viewers: ViewerView[];
}

/** One save of a viewer's row; omitted facts stay as they are. */
export interface ViewerFactsInput {
  /** `followedAt`: RFC3339 with an offset; omitted means now (simulated). */
  follow?: { following: boolean; followedAt?: string };
  subscription?: { tier: SubscriptionTier | "none" };
  /** RFC3339 with an offset. */
  createdAt?: string;
}

export interface ViewerChatResult {
  messageId: string;
  /** Enabled `channel.chat.message` subscriptions the fake notified. */
  notifiedSubscriptions: number;
  viewer: ViewerView;
}
