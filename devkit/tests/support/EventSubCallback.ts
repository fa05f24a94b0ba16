import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

/** What the callback received, with the raw body, so that a test checks the signature itself. */
export interface ReceivedMessage {
  headers: Record<string, string>;
  body: string;
  json: {
    challenge?: string;
    subscription: { id: string; type: string; status: string; condition: Record<string, string> };
    event?: Record<string, unknown>;
  };
}

export type Answer = { status: number; contentType?: string; body: string };

/** A tiny callback server standing in for the Worker's /twitch/eventsub, for the Twitch fake's tests. */
export class EventSubCallback {
  readonly received: ReceivedMessage[] = [];
  /** How to answer the next messages; default: the challenge as text/plain, 204 otherwise. */
  answer: (message: ReceivedMessage) => Answer = (message) =>
    message.json.challenge === undefined
      ? { status: 204, body: "" }
      : { status: 200, contentType: "text/plain", body: message.json.challenge };
  private server?: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer(async (request, response) => {
      const body = await readBody(request);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const message: ReceivedMessage = { headers, body, json: JSON.parse(body) };
      this.received.push(message);
      const answer = this.answer(message);
      response.writeHead(answer.status, answer.contentType ? { "content-type": answer.contentType } : {});
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", () => resolve()));
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    this.url = `http://127.0.0.1:${address.port}/twitch/eventsub`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  messagesOf(subscriptionId: string, type: string): ReceivedMessage[] {
    return this.received.filter(
      (message) =>
        message.json.subscription.id === subscriptionId && message.headers["twitch-eventsub-message-type"] === type,
    );
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** Platform facts §2.8, checked independently of the fake's and the Worker's code. */
export function hasValidSignature(message: ReceivedMessage, secret: string): boolean {
  const id = message.headers["twitch-eventsub-message-id"] ?? "";
  const timestamp = message.headers["twitch-eventsub-message-timestamp"] ?? "";
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", secret)
      .update(id + timestamp + message.body)
      .digest("hex")}`,
  );
  const given = Buffer.from(message.headers["twitch-eventsub-message-signature"] ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
