// Node-side scripts (npm run register) import Worker modules; these are the few Workers
// runtime types those modules mention, declared minimally for the Node type-check only.
// The Worker itself is checked against the full runtime types in worker/runtime.d.ts.
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}
interface Queue<Body = unknown> {
  send(message: Body): Promise<void>;
  sendBatch(messages: Iterable<{ body: Body }>): Promise<void>;
}
interface MessageBatch<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly { readonly id: string; readonly body: Body; ack(): void; retry(): void }[];
  ackAll(): void;
  retryAll(): void;
}
interface ScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
}
