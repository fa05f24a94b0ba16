import { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import type { FakeRequest } from "../shared/FakeRequest";
import { DiscordFormErrors, type FormErrorPath } from "./DiscordFormErrors";
import { respondEmptyMessage } from "./discordErrors";

export const messageFlags = {
  suppressEmbeds: 1 << 2,
  ephemeral: 1 << 6,
  suppressNotifications: 1 << 12,
  isVoiceMessage: 1 << 13,
  isComponentsV2: 1 << 15,
} as const;

const embedSchema = z.looseObject({
  title: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  timestamp: z.string().optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  footer: z.looseObject({ text: z.string(), icon_url: z.string().optional() }).optional(),
  author: z.looseObject({ name: z.string(), url: z.string().optional(), icon_url: z.string().optional() }).optional(),
  fields: z.array(z.looseObject({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
});
type Embed = z.infer<typeof embedSchema>;

const componentSchema = z.looseObject({
  type: z.number().int(),
  components: z.array(z.looseObject({ type: z.number().int() })).optional(),
});

const messageBodySchema = z.looseObject({
  content: z.string().nullable().optional(),
  embeds: z.array(embedSchema).nullable().optional(),
  components: z.array(componentSchema).nullable().optional(),
  allowed_mentions: z.unknown().optional(),
  flags: z.number().int().min(0).nullable().optional(),
  message_reference: z.unknown().optional(),
  nonce: z.union([z.string().max(25), z.number().int()]).optional(),
  enforce_nonce: z.boolean().optional(),
  tts: z.boolean().optional(),
  sticker_ids: z.array(z.string()).optional(),
  poll: z.unknown().optional(),
  attachments: z.array(z.unknown()).optional(),
});
export type MessageBody = z.infer<typeof messageBodySchema>;

export type MessageBodyKind = "channelMessage" | "followUp" | "edit" | "interactionResponse";

const allowedFlags: Record<MessageBodyKind, number> = {
  channelMessage:
    messageFlags.suppressEmbeds |
    messageFlags.suppressNotifications |
    messageFlags.isVoiceMessage |
    messageFlags.isComponentsV2,
  followUp:
    messageFlags.suppressEmbeds |
    messageFlags.ephemeral |
    messageFlags.suppressNotifications |
    messageFlags.isComponentsV2,
  interactionResponse:
    messageFlags.suppressEmbeds |
    messageFlags.ephemeral |
    messageFlags.suppressNotifications |
    messageFlags.isComponentsV2,
  edit: messageFlags.suppressEmbeds | messageFlags.isComponentsV2,
};

/** Reads a JSON body as Discord does: `application/json` (readMessageRequest also takes multipart uploads). */
export function readJsonBody(request: FakeRequest): unknown {
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.startsWith("application/json")) {
    const errors = new DiscordFormErrors();
    errors.add([], "CONTENT_TYPE_INVALID", `Expected "Content-Type" header to be one of {'application/json'}.`);
    throw new FakeHttpError(errors.createResponse());
  }
  try {
    return JSON.parse(request.bodyText);
  } catch {
    throw new FakeHttpError(new DiscordFormErrors().createResponse());
  }
}

/**
 * Parses and checks a message body against Discord's limits (platform facts §1.6, §1.10); 400 otherwise.
 * `path` nests the errors (`["data"]` for the message of an interaction response).
 */
export function validateMessageBody(
  value: unknown,
  kind: MessageBodyKind,
  path: FormErrorPath = [],
  fileCount = 0,
): MessageBody {
  const errors = new DiscordFormErrors(path);
  const result = messageBodySchema.safeParse(value);
  if (!result.success) {
    errors.addZodIssues(result.error.issues);
    errors.throwIfAny();
    throw new Error("unreachable: zod failed without issues");
  }
  const body = result.data;
  if (body.content !== undefined && body.content !== null && [...body.content].length > 2000) {
    errors.add(["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
  }
  checkEmbeds(body.embeds ?? [], errors);
  const flags = body.flags ?? 0;
  if ((flags & ~allowedFlags[kind]) !== 0)
    errors.add(["flags"], "MESSAGE_FLAGS_INVALID", `Flags ${flags} are not allowed here.`);
  if ((flags & messageFlags.isComponentsV2) === 0) checkLegacyComponents(body.components ?? [], errors);
  errors.throwIfAny();

  const hasContent = typeof body.content === "string" && body.content.trim() !== "";
  const hasSomething =
    hasContent ||
    (body.embeds?.length ?? 0) > 0 ||
    (body.components?.length ?? 0) > 0 ||
    (body.sticker_ids?.length ?? 0) > 0 ||
    fileCount > 0 ||
    body.poll !== undefined;
  if (kind !== "edit" && !hasSomething) throw new FakeHttpError(respondEmptyMessage());
  return body;
}

function checkEmbeds(embeds: Embed[], errors: DiscordFormErrors): void {
  if (embeds.length > 10) errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
  let total = 0;
  const measure = (text: string | undefined, path: (string | number)[], limit: number): void => {
    if (text === undefined) return;
    const length = [...text.trim()].length;
    total += length;
    if (length > limit) errors.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${limit} or fewer in length.`);
  };
  for (const [index, embed] of embeds.entries()) {
    measure(embed.title, ["embeds", index, "title"], 256);
    measure(embed.description, ["embeds", index, "description"], 4096);
    measure(embed.footer?.text, ["embeds", index, "footer", "text"], 2048);
    measure(embed.author?.name, ["embeds", index, "author", "name"], 256);
    const fields = embed.fields ?? [];
    if (fields.length > 25)
      errors.add(["embeds", index, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    for (const [fieldIndex, field] of fields.entries()) {
      if (field.name.trim() === "")
        errors.add(["embeds", index, "fields", fieldIndex, "name"], "BASE_TYPE_REQUIRED", "This field is required");
      if (field.value.trim() === "")
        errors.add(["embeds", index, "fields", fieldIndex, "value"], "BASE_TYPE_REQUIRED", "This field is required");
      measure(field.name, ["embeds", index, "fields", fieldIndex, "name"], 256);
      measure(field.value, ["embeds", index, "fields", fieldIndex, "value"], 1024);
    }
  }
  if (total > 6000) errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
}

const buttonSchema = z.looseObject({
  type: z.literal(2),
  style: z.number().int().min(1).max(6),
  label: z.string().max(80).optional(),
  custom_id: z.string().min(1).max(100).optional(),
  url: z.string().max(512).optional(),
  sku_id: z.string().optional(),
  disabled: z.boolean().optional(),
});

/** Action rows (type 1) of up to 5 buttons or one select; at most 5 rows; unique custom ids. */
function checkLegacyComponents(rows: z.infer<typeof componentSchema>[], errors: DiscordFormErrors): void {
  if (rows.length > 5) errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
  const customIds = new Set<string>();
  for (const [rowIndex, row] of rows.entries()) {
    const path = ["components", rowIndex];
    if (row.type !== 1) {
      errors.add([...path, "type"], "UNION_TYPE_CHOICES", "Top-level components must be action rows (type 1).");
      continue;
    }
    const children = row.components ?? [];
    const buttons = children.filter((child) => child.type === 2);
    if (children.length === 0)
      errors.add([...path, "components"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
    if (buttons.length > 5)
      errors.add([...path, "components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
    if (buttons.length !== children.length && children.length > 1) {
      errors.add(
        [...path, "components"],
        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
        "An action row holds up to 5 buttons or one select menu.",
      );
    }
    for (const [childIndex, child] of children.entries()) {
      const childPath = [...path, "components", childIndex];
      if (child.type !== 2) {
        const customId = child.custom_id;
        if (typeof customId !== "string" || customId.length < 1 || customId.length > 100) {
          errors.add([...childPath, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required");
        } else if (customIds.has(customId)) {
          errors.add(
            [...childPath, "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
          );
        } else {
          customIds.add(customId);
        }
        continue;
      }
      const parsed = buttonSchema.safeParse(child);
      if (!parsed.success) {
        errors.addZodIssues(parsed.error.issues, childPath);
        continue;
      }
      const button = parsed.data;
      if (button.style === 5) {
        if (button.url === undefined)
          errors.add([...childPath, "url"], "BUTTON_COMPONENT_URL_REQUIRED", "A link button needs a url.");
        else checkLinkUrl(button.url, [...childPath, "url"], errors);
        if (button.custom_id !== undefined)
          errors.add(
            [...childPath, "custom_id"],
            "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
            "A link button cannot have a custom_id.",
          );
      } else if (button.style !== 6) {
        if (button.custom_id === undefined)
          errors.add([...childPath, "custom_id"], "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A button needs a custom_id.");
        if (button.url !== undefined)
          errors.add([...childPath, "url"], "BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons can have a url.");
      }
      if (button.custom_id !== undefined) {
        if (customIds.has(button.custom_id)) {
          errors.add(
            [...childPath, "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
          );
        }
        customIds.add(button.custom_id);
      }
    }
  }
}

/** A link button opens http(s) or discord:// URLs only. */
function checkLinkUrl(url: string, path: FormErrorPath, errors: DiscordFormErrors): void {
  let scheme: string;
  try {
    scheme = new URL(url).protocol.replace(/:$/, "");
  } catch {
    errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.");
    return;
  }
  if (!["http", "https", "discord"].includes(scheme)) {
    errors.add(
      path,
      "URL_TYPE_INVALID_SCHEME",
      `Scheme "${scheme}" is not supported. Scheme must be one of ('http', 'https', 'discord').`,
    );
  }
}
