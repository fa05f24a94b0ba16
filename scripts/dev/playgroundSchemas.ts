import { z } from "zod";

/** The playground's requests, checked at the dev server's boundary like any other outside JSON. */

const userSchema = z.object({
  name: z.string().trim().min(1).max(32),
  manageServer: z.boolean(),
  locale: z.enum(["en-US", "pt-BR"]),
});

const optionSchema = z.object({
  name: z.string().min(1).max(32),
  type: z.number().int().min(3).max(11),
  value: z.union([z.string().max(6000), z.number(), z.boolean()]),
  /** An attachment option's file, within the dev server's 1 MiB request limit. */
  file: z
    .object({
      filename: z.string().min(1).max(1024),
      contentType: z.string().max(255),
      content: z.string().max(1024 * 1024),
    })
    .optional(),
});

export const commandInputSchema = z.object({
  user: userSchema,
  channelId: z.string().regex(/^\d{1,20}$/),
  command: z.string().min(1).max(32),
  subcommandGroup: z.string().min(1).max(32).optional(),
  subcommand: z.string().min(1).max(32).optional(),
  options: z.array(optionSchema).max(25),
});

export const autocompleteInputSchema = commandInputSchema.extend({ focused: z.string().min(1).max(32) });

export const liveInputSchema = z.object({ live: z.boolean() });

export const chattersInputSchema = z.object({
  logins: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_]{1,25}$/),
    )
    .max(1000),
});

/** What the Worker answers to an interaction (platform-facts §1.5), the parts the dev server reads. */
export const interactionResponseSchema = z.object({
  type: z.number().int(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const autocompleteResponseSchema = z.object({
  type: z.literal(8),
  data: z.object({ choices: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })) }),
});
