import { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import { DiscordFormErrors } from "./DiscordFormErrors";
import { type MessageBody, messageFlags, validateMessageBody } from "./validateMessageBody";

/** Interaction callback types (platform facts §1.5). */
export const callbackType = {
  pong: 1,
  channelMessage: 4,
  deferredChannelMessage: 5,
  deferredUpdateMessage: 6,
  updateMessage: 7,
  autocompleteResult: 8,
  modal: 9,
} as const;

/** The types this fake accepts: 10 (PREMIUM_REQUIRED) is deprecated, 12 needs an Activity the fake apps lack. */
const acceptedTypes: readonly number[] = Object.values(callbackType);

/** Which answers fit which interaction type (PING 1, command 2, component 3, autocomplete 4, modal submit 5). */
const typesByInteractionType: Record<number, readonly number[]> = {
  1: [callbackType.pong],
  2: [callbackType.channelMessage, callbackType.deferredChannelMessage, callbackType.modal],
  3: [
    callbackType.channelMessage,
    callbackType.deferredChannelMessage,
    callbackType.deferredUpdateMessage,
    callbackType.updateMessage,
    callbackType.modal,
  ],
  4: [callbackType.autocompleteResult],
  5: [
    callbackType.channelMessage,
    callbackType.deferredChannelMessage,
    callbackType.deferredUpdateMessage,
    callbackType.updateMessage,
  ],
};

const deferDataSchema = z.looseObject({ flags: z.number().int().min(0).nullable().optional() });

/** Autocomplete choices: at most 25, `name` 1–100, a string `value` at most 100 (platform facts §1.7). */
const autocompleteDataSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(100),
        name_localizations: z.record(z.string(), z.string().min(1).max(100)).nullable().optional(),
        value: z.union([z.string().max(100), z.number()]),
      }),
    )
    .max(25),
});

/** A modal: `custom_id` 1–100, `title` 1–45, 1 to 5 components. */
const modalDataSchema = z.looseObject({
  custom_id: z.string().min(1).max(100),
  title: z.string().min(1).max(45),
  components: z
    .array(z.looseObject({ type: z.number().int() }))
    .min(1)
    .max(5),
});

export type InteractionResponse =
  | { type: 1 | 6 }
  | { type: 4 | 7; data: MessageBody }
  | { type: 5; flags: number }
  | { type: 8; data: z.infer<typeof autocompleteDataSchema> }
  | { type: 9; data: z.infer<typeof modalDataSchema> };

/**
 * Checks an interaction response (the HTTP answer to an interaction, or the body of the callback
 * endpoint) the way Discord does; throws the 400 Discord answers (`50035` Invalid Form Body, or
 * `50006` for an empty message). `interactionType`, when known, must allow the answer's type.
 */
export function validateInteractionResponse(
  value: unknown,
  interactionType?: number,
  fileCount = 0,
): InteractionResponse {
  const errors = new DiscordFormErrors();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    errors.add([], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
    throw new FakeHttpError(errors.createResponse());
  }
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (type === undefined) errors.add(["type"], "BASE_TYPE_REQUIRED", "This field is required");
  else if (typeof type !== "number" || !acceptedTypes.includes(type))
    errors.add(["type"], "BASE_TYPE_CHOICES", `Value must be one of {${acceptedTypes.join(", ")}}.`);
  errors.throwIfAny();
  const allowed = interactionType === undefined ? undefined : typesByInteractionType[interactionType];
  if (allowed !== undefined && !allowed.includes(type as number)) {
    errors.add(
      ["type"],
      "INTERACTION_RESPONSE_TYPE_INVALID",
      `Response type ${String(type)} cannot answer an interaction of type ${String(interactionType)}.`,
    );
    errors.throwIfAny();
  }

  switch (type) {
    case callbackType.channelMessage:
      return { type, data: validateMessageBody(data, "interactionResponse", ["data"], fileCount) };
    case callbackType.updateMessage:
      // An update may change only some fields (e.g. remove the buttons), so it is checked like an edit.
      return { type, data: validateMessageBody(data ?? {}, "edit", ["data"]) };
    case callbackType.deferredChannelMessage: {
      const parsed = deferDataSchema.safeParse(data ?? {});
      if (!parsed.success) errors.addZodIssues(parsed.error.issues, ["data"]);
      const flags = parsed.success ? (parsed.data.flags ?? 0) : 0;
      // Only EPHEMERAL may be chosen at defer time; components v2 comes with the later edit.
      if ((flags & ~messageFlags.ephemeral) !== 0)
        errors.add(["data", "flags"], "MESSAGE_FLAGS_INVALID", `Flags ${flags} are not allowed when deferring.`);
      errors.throwIfAny();
      return { type, flags };
    }
    case callbackType.autocompleteResult: {
      const parsed = autocompleteDataSchema.safeParse(data);
      if (!parsed.success) errors.addZodIssues(parsed.error.issues, ["data"]);
      errors.throwIfAny();
      return { type, data: parsed.data as z.infer<typeof autocompleteDataSchema> };
    }
    case callbackType.modal: {
      const parsed = modalDataSchema.safeParse(data);
      if (!parsed.success) errors.addZodIssues(parsed.error.issues, ["data"]);
      errors.throwIfAny();
      return { type, data: parsed.data as z.infer<typeof modalDataSchema> };
    }
    default:
      return { type: type as 1 | 6 };
  }
}
