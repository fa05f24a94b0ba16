import type { z } from "zod";
import { FakeHttpError } from "./FakeHttpError";
import type { FakeRequest } from "./FakeRequest";
import type { FakeResponse } from "./FakeResponse";

/** Builds the platform's own error response for a body that does not fit the schema. */
export type InvalidBodyResponder = (issues: z.core.$ZodIssue[]) => FakeResponse;

/** Parses a JSON body with a zod schema; a body that is not JSON counts as one issue at the root. */
export function parseJsonBody<Schema extends z.ZodType>(
  request: FakeRequest,
  schema: Schema,
  respondInvalid: InvalidBodyResponder,
): z.output<Schema> {
  let value: unknown;
  try {
    value = request.bodyText === "" ? undefined : JSON.parse(request.bodyText);
  } catch {
    throw new FakeHttpError(
      respondInvalid([{ code: "custom", path: [], message: "body is not valid JSON", input: request.bodyText }]),
    );
  }
  return parseValue(value, schema, respondInvalid);
}

/** Parses an `application/x-www-form-urlencoded` body (repeated fields keep the last value). */
export function parseFormBody<Schema extends z.ZodType>(
  request: FakeRequest,
  schema: Schema,
  respondInvalid: InvalidBodyResponder,
): z.output<Schema> {
  return parseValue(Object.fromEntries(new URLSearchParams(request.bodyText)), schema, respondInvalid);
}

export function parseValue<Schema extends z.ZodType>(
  value: unknown,
  schema: Schema,
  respondInvalid: InvalidBodyResponder,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new FakeHttpError(respondInvalid(result.error.issues));
  return result.data;
}
