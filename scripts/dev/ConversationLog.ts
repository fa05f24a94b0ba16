import { z } from "zod";
import type { DiscordState } from "../../devkit/fakes/discord/DiscordState";
import type { DiscordMessage } from "../../devkit/fakes/discord/discordControlSchemas";
import type { ConversationEntry, EmbedView, MessageView } from "../../playground/playgroundApi";
import type { SimulatedClock } from "./SimulatedClock";

/** What the log keeps of a sent command; the replies themselves live in the Discord fake. */
export interface SentCommand {
  id: string;
  interactionToken: string;
  sentAt: string;
  userName: string;
  channelId: string;
  commandLine: string;
  phase: ConversationEntry["phase"];
  ephemeral: boolean;
  httpStatus?: number;
  error?: string;
}

const maximumEntries = 50;
/** The embed fields the page renders; others (`type: "rich"`, …) are dropped. */
const embedSchema = z.object({
  title: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  color: z.number().optional(),
  fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
  footer: z.object({ text: z.string() }).optional(),
  timestamp: z.string().optional(),
});
const ephemeralFlag = 64;

/**
 * The commands the playground sent, newest last, read together with the fake Discord's record of
 * each interaction: the deferred reply edited later, the `/twitch connect` reply edited after the
 * OAuth callback, follow-ups. Plays Discord's part of storing the HTTP answer as `@original`.
 */
export class ConversationLog {
  private readonly entries: SentCommand[] = [];

  constructor(
    private readonly discordState: DiscordState,
    /** Dates what the Discord fake stored (wall clock) on the simulated clock. */
    private readonly clock?: Pick<SimulatedClock, "simulatedTimeAt">,
  ) {}

  add(entry: SentCommand): void {
    this.entries.push(entry);
    if (this.entries.length > maximumEntries) this.entries.shift();
  }

  /** Discord shows an immediate answer (type 4) as the interaction's original message. */
  storeImmediateAnswer(interactionToken: string, data: Record<string, unknown>): void {
    const original = this.discordState.interactions.get(interactionToken)?.original;
    if (!original) return;
    original.content = typeof data.content === "string" ? data.content : "";
    original.embeds = Array.isArray(data.embeds) ? data.embeds.map((embed) => ({ type: "rich", ...embed })) : [];
    original.components = Array.isArray(data.components) ? data.components : [];
    original.flags = typeof data.flags === "number" ? data.flags : 0;
  }

  /** A deferred answer (type 5) fixes the flags the later edit will be shown with. */
  storeDeferredAnswer(interactionToken: string, flags: number): void {
    const original = this.discordState.interactions.get(interactionToken)?.original;
    if (original) original.flags = flags;
  }

  list(): ConversationEntry[] {
    return this.entries.map((entry) => this.describe(entry));
  }

  private describe(entry: SentCommand): ConversationEntry {
    const interaction = this.discordState.interactions.get(entry.interactionToken);
    const view: ConversationEntry = {
      id: entry.id,
      sentAt: entry.sentAt,
      userName: entry.userName,
      channelId: entry.channelId,
      commandLine: entry.commandLine,
      phase: entry.phase,
      ephemeral: entry.ephemeral,
      followUps: interaction?.followUps.map((message) => describeMessage(message, this.clock)) ?? [],
      ...(entry.httpStatus === undefined ? {} : { httpStatus: entry.httpStatus }),
      ...(entry.error === undefined ? {} : { error: entry.error }),
    };
    if (!interaction?.original) return view;
    const edited = interaction.events.some((event) => event.kind === "editOriginal");
    if (entry.phase === "thinking" && edited) view.phase = "answered";
    if (view.phase === "answered") view.message = describeMessage(interaction.original, this.clock);
    view.ephemeral = (interaction.original.flags & ephemeralFlag) !== 0;
    return view;
  }
}

/**
 * The fields the page renders. The Discord fake stamps messages with the wall clock; with a
 * clock, the timestamp is moved to the simulated minute it was stored in.
 */
export function describeMessage(message: DiscordMessage, clock?: Pick<SimulatedClock, "simulatedTimeAt">): MessageView {
  const timestamp =
    clock === undefined
      ? message.timestamp
      : new Date(clock.simulatedTimeAt(Date.parse(message.timestamp))).toISOString();
  return {
    id: message.id,
    channelId: message.channel_id,
    content: message.content,
    embeds: message.embeds.map(describeEmbed),
    components: message.components,
    flags: message.flags,
    timestamp,
    edited: message.edited_timestamp !== null,
    attachments: message.attachments.map(({ filename, url }) => ({ filename, url })),
  };
}

function describeEmbed(embed: Record<string, unknown>): EmbedView {
  const parsed = embedSchema.safeParse(embed);
  return parsed.success ? parsed.data : { description: "(an embed the playground cannot show)" };
}
