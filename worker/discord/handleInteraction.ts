import * as z from "zod/mini";
import type { AppContext } from "../context";
import { HttpError } from "../errors";
import { type Locale, resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";
import type { CommandReply, Invocation } from "./commands/CommandGroup";
import { rootSubcommandName, UserFacingError } from "./commands/CommandGroup";
import { findCommandGroup, findComponentHandler } from "./commands/registry";
import { editOriginalResponse } from "./DiscordRestClient";
import {
  type CommandOptionData,
  ephemeralFlag,
  type InteractionData,
  InteractionType,
  interactionSchema,
  ResponseType,
} from "./interaction.external";
import type { MessageBody } from "./message";
import { canManageGuild, parsePermissions } from "./permissions";

/** Discord allows 3 seconds for the first answer; leave room for the network. */
const replyBudgetMilliseconds = 2_500;

/** How a command's work stood when the reply budget ran out. */
type Settled = { kind: "replied"; reply: CommandReply } | { kind: "failed"; error: unknown } | { kind: "late" };

/** Parses a verified interaction body and answers it. Bad input never becomes a 5xx. */
export async function handleInteraction(body: string, app: AppContext): Promise<Response> {
  const parsed = parseInteraction(body);
  if (parsed.kind === "ping") return Response.json({ type: ResponseType.pong });
  const interaction = parsed.interaction;

  const locale = resolveLocale(interaction.locale);
  if (interaction.type === InteractionType.messageComponent) return respondToComponent(interaction, locale, app);
  if (interaction.type !== InteractionType.applicationCommand && interaction.type !== InteractionType.autocomplete) {
    return respondWithMessage({ content: translate(locale, "notAvailableYet") }, true);
  }
  // The work is never abandoned: when it outlasts the reply budget, the answer becomes a
  // deferral and the work goes on under waitUntil, its result (or its refusal) edited into the
  // reply once it is known. A command never says "try again" for something that then happens.
  const work = dispatchCommand(interaction, locale, app);
  const settled = await settleWithin(work, replyBudgetMilliseconds);
  if (settled.kind === "late") return respondLate(work, interaction, locale, app);
  if (settled.kind === "replied") return respondWithReply(settled.reply, interaction, locale, app);
  const error = settled.error;
  // Discord accepts only choices (type 8) for an autocomplete: a refusal there is an empty list.
  if (error instanceof UserFacingError && interaction.type === InteractionType.autocomplete) {
    return respondWithChoices([]);
  }
  if (error instanceof UserFacingError) {
    return respondWithMessage({ content: translate(locale, error.messageKey, error.parameters) }, true);
  }
  app.log.error("command failed", { error, command: interaction.data?.name, guildId: interaction.guild_id });
  if (interaction.type === InteractionType.autocomplete) return respondWithChoices([]);
  return respondWithMessage({ content: translate(locale, "tryAgainLater") }, true);
}

/**
 * A click on one of the app's buttons: the same checks as a command (a server, Manage Server),
 * then the message it was on is updated with the handler's answer. Buttons do quick work only.
 */
async function respondToComponent(interaction: InteractionData, locale: Locale, app: AppContext): Promise<Response> {
  const handler = findComponentHandler(interaction.data?.custom_id ?? "");
  try {
    if (!handler) throw new UserFacingError("notAvailableYet");
    if (!interaction.guild_id || !interaction.member) throw new UserFacingError("commandsOnlyInServers");
    if (!canManageGuild(parsePermissions(interaction.member.permissions)))
      throw new UserFacingError("needsManageServer");
    const body = await handler.handle({
      app,
      locale,
      guildId: interaction.guild_id,
      userId: interaction.member.user.id,
      customId: interaction.data?.custom_id ?? "",
    });
    return Response.json({ type: ResponseType.updateMessage, data: { ...body, allowed_mentions: { parse: [] } } });
  } catch (error) {
    if (error instanceof UserFacingError) {
      return respondWithMessage({ content: translate(locale, error.messageKey, error.parameters) }, true);
    }
    app.log.error("component failed", { error, guildId: interaction.guild_id });
    return respondWithMessage({ content: translate(locale, "tryAgainLater") }, true);
  }
}

/** Waits for `work` at most `milliseconds`; the work itself goes on either way. */
async function settleWithin(work: Promise<CommandReply>, milliseconds: number): Promise<Settled> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "late" }), milliseconds);
  });
  const outcome = work.then(
    (reply): Settled => ({ kind: "replied", reply }),
    (error: unknown): Settled => ({ kind: "failed", error }),
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

/**
 * The reply budget ran out with the work still going. An autocomplete only reads, and Discord
 * cannot defer one: it gets no choices, and its work is left to finish. A command is deferred,
 * ephemerally (its result may be meant for the invoker alone, e.g. a link button), and its result
 * replaces the "thinking…" message when the work ends: what it did, or why it did nothing.
 */
function respondLate(
  work: Promise<CommandReply>,
  interaction: InteractionData,
  locale: Locale,
  app: AppContext,
): Response {
  app.log.warn("command outlasted the reply budget; deferring its reply", {
    command: interaction.data?.name,
    guildId: interaction.guild_id,
    budgetMilliseconds: replyBudgetMilliseconds,
  });
  if (interaction.type === InteractionType.autocomplete) {
    app.runInBackground(work.catch((error: unknown) => app.log.warn("late autocomplete failed", { error })));
    return respondWithChoices([]);
  }
  const complete = async (): Promise<MessageBody> => {
    const reply = await work;
    if (reply.kind === "deferred") return reply.complete();
    if (reply.kind === "message") return reply.body;
    return { content: translate(locale, "tryAgainLater") };
  };
  app.runInBackground(completeDeferredReply(complete, interaction, locale, app));
  return Response.json({ type: ResponseType.deferredChannelMessage, data: { flags: ephemeralFlag } });
}

async function dispatchCommand(interaction: InteractionData, locale: Locale, app: AppContext): Promise<CommandReply> {
  const commandName = interaction.data?.name ?? "";
  const group = findCommandGroup(commandName);
  if (!group) throw new UserFacingError("unknownCommand", { command: commandName });
  if (!interaction.guild_id || !interaction.member) throw new UserFacingError("commandsOnlyInServers");
  if (!canManageGuild(parsePermissions(interaction.member.permissions))) {
    throw new UserFacingError("needsManageServer");
  }
  const subcommandOption = interaction.data?.options?.find((option) => option.type === 1);
  // A command without subcommands (/overlay) takes its options at the top level.
  const subcommand = group.subcommands[subcommandOption?.name ?? rootSubcommandName];
  const options = (subcommandOption ? subcommandOption.options : interaction.data?.options) ?? [];
  if (!subcommand) {
    throw new UserFacingError("unknownCommand", { command: `${commandName} ${subcommandOption?.name ?? ""}`.trim() });
  }
  const invocation: Invocation = {
    app,
    locale,
    guildLocale: resolveLocale(interaction.guild_locale ?? interaction.locale),
    interactionId: interaction.id,
    interactionToken: interaction.token,
    applicationId: interaction.application_id,
    guildId: interaction.guild_id,
    channelId: interaction.channel_id ?? "",
    userId: interaction.member.user.id,
    userName: interaction.member.user.global_name || interaction.member.user.username,
    subcommand: subcommandOption?.name ?? rootSubcommandName,
    options: collectOptionValues(options),
    attachments: readAttachments(interaction),
    focusedOption: options.find((option) => option.focused)?.name,
  };
  if (interaction.type === InteractionType.autocomplete) {
    return subcommand.autocomplete ? subcommand.autocomplete(invocation) : { kind: "choices", choices: [] };
  }
  return subcommand.run(invocation);
}

function respondWithReply(
  reply: CommandReply,
  interaction: InteractionData,
  locale: Locale,
  app: AppContext,
): Response {
  if (reply.kind === "choices") return respondWithChoices(reply.choices);
  if (reply.kind === "message") return respondWithMessage(reply.body, reply.ephemeral);
  app.runInBackground(completeDeferredReply(reply.complete, interaction, locale, app));
  return Response.json({
    type: ResponseType.deferredChannelMessage,
    data: { flags: reply.ephemeral ? ephemeralFlag : 0 },
  });
}

/** Runs a deferred command's work after the answer and edits the "thinking…" message. */
async function completeDeferredReply(
  complete: () => Promise<MessageBody>,
  interaction: InteractionData,
  locale: Locale,
  app: AppContext,
): Promise<void> {
  let body: MessageBody;
  try {
    body = await complete();
  } catch (error) {
    if (error instanceof UserFacingError) {
      body = { content: translate(locale, error.messageKey, error.parameters) };
    } else {
      app.log.error("deferred command failed", {
        error,
        command: interaction.data?.name,
        guildId: interaction.guild_id,
      });
      body = { content: translate(locale, "tryAgainLater") };
    }
  }
  try {
    await editOriginalResponse(app.config, interaction.application_id, interaction.token, body);
  } catch (error) {
    app.log.error("could not edit the deferred reply", { error: describeError(error), guildId: interaction.guild_id });
  }
}

function respondWithMessage(body: MessageBody, ephemeral: boolean): Response {
  return Response.json({
    type: ResponseType.channelMessage,
    data: { ...body, flags: ephemeral ? ephemeralFlag : 0, allowed_mentions: { parse: [] } },
  });
}

function respondWithChoices(choices: { name: string; value: string }[]): Response {
  return Response.json({ type: ResponseType.autocompleteResult, data: { choices: choices.slice(0, 25) } });
}

function collectOptionValues(options: CommandOptionData[]): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const option of options) {
    if (option.value !== undefined) values[option.name] = option.value;
  }
  return values;
}

function readAttachments(interaction: InteractionData): Invocation["attachments"] {
  const attachments = Object.values(interaction.data?.resolved?.attachments ?? {});
  return Object.fromEntries(
    attachments.map(({ id, filename, size, url, content_type }) => [
      id,
      { id, filename, size, url, contentType: content_type },
    ]),
  );
}

const pingSchema = z.object({ type: z.literal(InteractionType.ping) });

function parseInteraction(body: string): { kind: "ping" } | { kind: "interaction"; interaction: InteractionData } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new HttpError(400, "Request body is not valid JSON.");
  }
  // A PING needs nothing but its type to be answered; Discord checks the endpoint with it.
  const ping = pingSchema.safeParse(json);
  if (ping.success) return { kind: "ping" };
  const parsed = interactionSchema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, "Request body is not a Discord interaction.");
  return { kind: "interaction", interaction: parsed.data };
}
