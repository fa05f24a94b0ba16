import { FakeHttpError } from "../shared/FakeHttpError";
import type { DiscordState, Interaction } from "./DiscordState";
import { describeDiscordError } from "./describeDiscordError";
import {
  type DiscordInteractionAnswer,
  type DiscordInteractionAnswerVerdict,
  discordInteractionAnswerSchema,
} from "./discordControlSchemas";
import { type InteractionResponse, validateInteractionResponse } from "./validateInteractionResponse";
import { messageFlags, validateMessageBody } from "./validateMessageBody";
import { applyEdit } from "./webhookRoutes";

/**
 * Records the initial response of an interaction, from the callback endpoint or the HTTP answer:
 * a message (4) becomes `@original`, a defer (5) fixes its ephemeral flag, an update (7) edits it.
 */
export function applyInitialResponse(
  interaction: Interaction,
  response: InteractionResponse,
  rawBody: unknown,
  kind: "callback" | "httpResponse",
): void {
  const original = interaction.original;
  if (original !== null) {
    if (response.type === 4) {
      original.content = response.data.content ?? "";
      original.embeds = (response.data.embeds ?? []).map((embed) => ({ type: "rich", ...embed }));
      original.components = response.data.components ?? [];
      original.flags = response.data.flags ?? 0;
      // The Worker may have edited @original (from waitUntil) before its HTTP answer was recorded
      // here; on Discord those edits came after the answer, so they are applied again on top.
      for (const event of interaction.events) {
        if (event.kind === "editOriginal") applyEdit(original, validateMessageBody(event.body, "edit"));
      }
    } else if (response.type === 7) {
      applyEdit(original, response.data);
    } else if (response.type === 5) {
      original.flags = (original.flags & ~messageFlags.ephemeral) | response.flags;
    }
  }
  interaction.callbackType = response.type;
  interaction.events.push({ kind, messageId: original?.id ?? null, body: rawBody, at: new Date().toISOString() });
}

/**
 * What Discord makes of the Worker's HTTP answer to an interaction: it must be 200 with a JSON
 * interaction response within Discord's limits (or 202 with no body after the Worker used the
 * callback endpoint). Anything else and the user sees "This interaction failed". An accepted
 * answer is recorded as the initial response.
 */
export function recordInteractionAnswer(
  state: DiscordState,
  interactionToken: string,
  input: DiscordInteractionAnswer,
): DiscordInteractionAnswerVerdict {
  let interaction = state.interactions.get(interactionToken);
  if (interaction === undefined && state.settings.autoRegisterInteractions)
    interaction = state.registerInteraction({ interactionToken });
  if (interaction === undefined)
    return refuse(404, { error: "no interaction registered with that token" }, ["unknown interaction token"]);
  const checked = checkInteractionAnswer(input, interaction.callbackType !== null);
  if (!checked.ok || checked.response === undefined) return checked.ok ? { ok: true } : checked;
  applyInitialResponse(interaction, checked.response, checked.body, "httpResponse");
  return { ok: true };
}

/**
 * The checks of `recordInteractionAnswer` without an interaction to record into (the playground's
 * autocomplete). `acknowledged`: the Worker already answered through the callback endpoint, so
 * only 202 with no body fits. An accepted 202 has no `response`.
 */
export function checkInteractionAnswer(
  input: DiscordInteractionAnswer,
  acknowledged = false,
): { ok: true; response?: InteractionResponse; body?: unknown } | Refusal {
  const answer = discordInteractionAnswerSchema.parse(input);
  const text = answer.bodyText ?? (answer.body === undefined ? "" : JSON.stringify(answer.body));
  if (answer.status === 202 && text.trim() === "") {
    if (acknowledged) return { ok: true };
    return failed("the Worker answered 202 without answering through the callback endpoint first");
  }
  if (answer.status !== 200) return failed(`the Worker answered HTTP ${answer.status}, not 200`);
  if (answer.contentType !== undefined && !/^application\/json\b/i.test(answer.contentType.trim()))
    return failed(`the answer's Content-Type is ${JSON.stringify(answer.contentType)}, not application/json`);
  let body: unknown;
  try {
    body = answer.bodyText === undefined ? answer.body : JSON.parse(answer.bodyText);
  } catch {
    return failed(`the answer is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (acknowledged) {
    const error = { message: "Interaction has already been acknowledged.", code: 40060 };
    return refuse(400, error, describeDiscordError(error));
  }
  try {
    return { ok: true, response: validateInteractionResponse(body, answer.interactionType), body };
  } catch (error) {
    if (!(error instanceof FakeHttpError)) throw error;
    const discordError: unknown = JSON.parse(error.response.body);
    return refuse(error.response.status, discordError, describeDiscordError(discordError));
  }
}

type Refusal = Extract<DiscordInteractionAnswerVerdict, { ok: false }>;

function refuse(status: number, error: unknown, problems: string[]): Refusal {
  return { ok: false, status, error, problems };
}

/** Not a Discord API error: Discord's client just shows "This interaction failed". */
function failed(explanation: string): Refusal {
  const error = { message: "This interaction failed", code: 0, fakeError: explanation };
  return refuse(400, error, describeDiscordError(error));
}
