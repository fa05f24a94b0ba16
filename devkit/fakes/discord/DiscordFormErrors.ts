import type { z } from "zod";
import { FakeHttpError } from "../shared/FakeHttpError";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";

export type FormErrorPath = readonly (string | number)[];

interface ErrorNode {
  [key: string]: ErrorNode | { code: string; message: string }[];
}

/**
 * Collects problems in a request body and answers them the way Discord does:
 * 400 `{"code":50035,"errors":{"0":{"name":{"_errors":[{code,message}]}}},"message":"Invalid Form Body"}`.
 */
export class DiscordFormErrors {
  private readonly root: ErrorNode = {};
  private count = 0;

  /** `prefix` nests every error, e.g. `["data"]` for the message of an interaction response. */
  constructor(private readonly prefix: FormErrorPath = []) {}

  add(path: FormErrorPath, code: string, message: string): void {
    let node = this.root;
    for (const key of [...this.prefix, ...path]) {
      const existing = node[String(key)];
      if (existing === undefined || Array.isArray(existing)) {
        const child: ErrorNode = {};
        node[String(key)] = child;
        node = child;
      } else {
        node = existing;
      }
    }
    const list = node._errors;
    const entries = Array.isArray(list) ? list : [];
    entries.push({ code, message });
    node._errors = entries;
    this.count += 1;
  }

  /** Adds zod issues under a path prefix, with Discord-like codes. */
  addZodIssues(issues: z.core.$ZodIssue[], prefix: FormErrorPath = []): void {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path.map((key) => (typeof key === "number" ? key : String(key)))];
      if (issue.code === "invalid_type" && issue.input === undefined)
        this.add(path, "BASE_TYPE_REQUIRED", "This field is required");
      else if (issue.code === "too_big")
        this.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${String(issue.maximum)} or fewer in length.`);
      else if (issue.code === "too_small")
        this.add(path, "BASE_TYPE_MIN_LENGTH", `Must be ${String(issue.minimum)} or more in length.`);
      else this.add(path, "BASE_TYPE_BAD_TYPE", issue.message);
    }
  }

  hasErrors(): boolean {
    return this.count > 0;
  }

  createResponse(): FakeResponse {
    return createJsonResponse(400, { code: 50035, errors: this.root, message: "Invalid Form Body" });
  }

  /** Throws the 400 when anything was added. */
  throwIfAny(): void {
    if (this.hasErrors()) throw new FakeHttpError(this.createResponse());
  }
}
