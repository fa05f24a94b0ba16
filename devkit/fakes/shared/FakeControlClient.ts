// No Node imports: the control clients run in Node tests and inside workerd.
import type { z } from "zod";
import {
  type CallFilter,
  type CallList,
  type CallRecord,
  callListSchema,
  type FailureRule,
  type FailureRuleInput,
  failureRuleListSchema,
  failureRuleSchema,
} from "./controlSchemas";

/** Base of the typed control clients: talks to `<fake url>/_control/…` with plain `fetch`. */
export class FakeControlClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, "");
  }

  /** Calls the fake received (not control calls), oldest first. */
  async listCalls(filter: CallFilter = {}): Promise<CallRecord[]> {
    return (await this.requestCallList("/_control/calls", filter)).calls;
  }

  /** Calls no route matched (answered 404). A test can assert this is empty. */
  async listUnexpectedCalls(filter: CallFilter = {}): Promise<CallRecord[]> {
    return (await this.requestCallList("/_control/unexpected-calls", filter)).calls;
  }

  /** The sequence number of the latest call: pass it as `since` to see only later calls. */
  async readLastSequence(): Promise<number> {
    return (await this.requestCallList("/_control/calls", { since: Number.MAX_SAFE_INTEGER })).lastSequence;
  }

  async injectFailure(rule: FailureRuleInput): Promise<FailureRule> {
    return this.requestJson("POST", "/_control/failures", rule, failureRuleSchema);
  }

  async listFailures(): Promise<FailureRule[]> {
    return (await this.requestJson("GET", "/_control/failures", undefined, failureRuleListSchema)).failures;
  }

  async removeFailure(id: string): Promise<void> {
    await this.requestJson("DELETE", `/_control/failures/${encodeURIComponent(id)}`, undefined, undefined);
  }

  /** Latency added to every API call; global, so meant for benchmarks, not parallel tests. */
  async setLatency(milliseconds: number): Promise<void> {
    await this.requestJson("PUT", "/_control/latency", { milliseconds }, undefined);
  }

  /** Clears all state, records and failures; global, so parallel tests should rely on unique ids instead. */
  async reset(): Promise<void> {
    await this.requestJson("POST", "/_control/reset", undefined, undefined);
  }

  private async requestCallList(path: string, filter: CallFilter): Promise<CallList> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) {
      if (value !== undefined) query.set(name, String(value));
    }
    return this.requestJson("GET", `${path}?${query.toString()}`, undefined, callListSchema);
  }

  /** Sends a control request; without a schema the answer must be 2xx and its body is ignored. */
  protected async requestJson<Schema extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: Schema,
  ): Promise<z.output<Schema>>;
  protected async requestJson(method: string, path: string, body: unknown, schema: undefined): Promise<void>;
  protected async requestJson(
    method: string,
    path: string,
    body: unknown,
    schema: z.ZodType | undefined,
  ): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`control ${method} ${path} answered ${response.status}: ${text}`);
    if (schema === undefined) return undefined;
    return schema.parse(JSON.parse(text));
  }
}
