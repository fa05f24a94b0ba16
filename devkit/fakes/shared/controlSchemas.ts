// No Node imports: shared by the fakes' servers and their control clients (Node and workerd).
import { z } from "zod";

/** One request a fake received, with every secret replaced by `describeSecret`. */
export const callRecordSchema = z.object({
  sequence: z.number().int(),
  receivedAt: z.string(),
  method: z.string(),
  path: z.string(),
  query: z.record(z.string(), z.array(z.string())),
  headers: z.record(z.string(), z.string()),
  /** Parsed JSON or form fields when the body was one of those, the raw text otherwise, null when empty. */
  body: z.unknown(),
  status: z.number().int(),
  /** No route matched (the fake answered 404), or the fake itself crashed (500). */
  unexpected: z.boolean(),
  /** Answered by an injected failure instead of the fake's normal behaviour. */
  injected: z.boolean(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;

/** Filters for listing calls; all given ones must match. */
export const callFilterSchema = z.object({
  method: z.string().optional(),
  pathPrefix: z.string().optional(),
  /** Substring of the redacted path, query, body or Client-Id header: an id the test chose. */
  contains: z.string().optional(),
  /** Only calls with a sequence number greater than this. */
  since: z.coerce.number().int().optional(),
});
export type CallFilter = z.infer<typeof callFilterSchema>;

export const callListSchema = z.object({
  calls: z.array(callRecordSchema),
  lastSequence: z.number().int(),
});
export type CallList = z.infer<typeof callListSchema>;

/**
 * "The next `times` calls matching method + path (+ contains) answer `status` after `delayMilliseconds`."
 * Without a status the matching calls are only delayed, then answered normally.
 */
export const failureRuleInputSchema = z.object({
  method: z.string().optional(),
  /** Path without the query; `*` matches any run of characters, including `/`. */
  path: z.string().min(1),
  /** Substring of the redacted request (see CallFilter.contains) that must be present. */
  contains: z.string().optional(),
  times: z.number().int().min(1).default(1),
  status: z.number().int().min(100).max(599).optional(),
  delayMilliseconds: z.number().int().min(0).default(0),
  /** For 429: how long the client is told to wait. */
  retryAfterSeconds: z.number().min(0).default(1),
  /** Replaces the fake's default error body for that status. */
  body: z.unknown().optional(),
  /**
   * Answers the vendor's edge page instead of its API's JSON. The Discord fake knows
   * `cloudflare-1015`: Cloudflare's HTML "You are being rate limited" page, status 429, no
   * `retry_after` and no rate-limit headers (what Discord's Cloudflare serves a shared address).
   */
  page: z.enum(["cloudflare-1015"]).optional(),
});
export type FailureRuleInput = z.input<typeof failureRuleInputSchema>;
export type FailureRule = z.output<typeof failureRuleInputSchema> & { id: string; remaining: number };

export const failureRuleSchema = failureRuleInputSchema.extend({
  id: z.string(),
  remaining: z.number().int(),
});

export const failureRuleListSchema = z.object({ failures: z.array(failureRuleSchema) });

export const latencySchema = z.object({ milliseconds: z.number().int().min(0) });
