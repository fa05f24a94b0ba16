import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { CallRecorder } from "./CallRecorder";
import type { CallRecord, FailureRule } from "./controlSchemas";
import { describeSearchableText } from "./describeSearchableText";
import { FailureInjector } from "./FailureInjector";
import { FakeHttpError } from "./FakeHttpError";
import type { FakeRequest } from "./FakeRequest";
import { createJsonResponse, type FakeResponse } from "./FakeResponse";
import { findRoute, type Route } from "./Router";
import { redactRequest } from "./redactRequest";
import { createSharedControlRoutes } from "./sharedControlRoutes";
import { sleep } from "./sleep";

/** Discord's upper bound on a request; enough for anything a test sends. */
const maximumBodyBytes = 25 * 1024 * 1024;

export interface FakeServerDefinition {
  /** "twitch" or "discord": shows in loud errors and logs. */
  name: string;
  port: number;
  apiRoutes: readonly Route[];
  controlRoutes: readonly Route[];
  /** The body and headers of an injected failure, in the platform's own error shape. */
  createFailureResponse(rule: FailureRule, request: FakeRequest): FakeResponse;
  /** The 404 for a call no route matches, in the platform's shape, carrying the loud explanation. */
  createUnexpectedCallResponse(explanation: string): FakeResponse;
  /** Path segments to redact in call records (credentials carried in URLs). */
  findSecretPathSegments(request: FakeRequest): string[];
  /** Clears the fake's own state on `POST /_control/reset`. */
  resetState(): void;
}

export interface RunningFakeServer {
  url: string;
  recorder: CallRecorder;
  failures: FailureInjector;
  stop(): Promise<void>;
}

/** Serves a fake on 127.0.0.1: control routes under `/_control/`, every other call recorded. */
export async function startFakeServer(definition: FakeServerDefinition): Promise<RunningFakeServer> {
  const recorder = new CallRecorder();
  const failures = new FailureInjector();
  const controlRoutes = [
    ...createSharedControlRoutes(recorder, failures, () => {
      recorder.clear();
      failures.clear();
      definition.resetState();
    }),
    ...definition.controlRoutes,
  ];

  const server = createServer((incoming, outgoing) => {
    void serveRequest(incoming, outgoing).catch((error: unknown) => {
      console.error(`[${definition.name} fake] failed to serve ${incoming.method} ${incoming.url}`, error);
      if (!outgoing.headersSent) outgoing.writeHead(500, { "content-type": "text/plain" });
      outgoing.end("fake crashed; see its log");
    });
  });

  async function serveRequest(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const request = await readFakeRequest(incoming);
    const response = request.path.startsWith("/_control/")
      ? await answerControlRequest(request)
      : await answerApiRequest(request);
    outgoing.writeHead(response.status, response.headers);
    outgoing.end(response.body);
  }

  async function answerControlRequest(request: FakeRequest): Promise<FakeResponse> {
    const match = findRoute(controlRoutes, request.method, request.path);
    if (match === undefined) {
      return createJsonResponse(404, {
        error: `${definition.name} fake has no control route ${request.method} ${request.path}`,
      });
    }
    return (await runHandler(() => match.route.handle({ ...request, params: match.params }), request)).response;
  }

  async function answerApiRequest(request: FakeRequest): Promise<FakeResponse> {
    const sequence = recorder.takeSequence();
    const receivedAt = new Date().toISOString();
    const redacted = await redactRequest(request, definition.findSecretPathSegments(request));
    await sleep(failures.latencyMilliseconds);

    const searchableText = describeSearchableText(redacted);
    const rule = failures.takeMatchingRule(request.method, redacted.path, searchableText);
    if (rule !== undefined) await sleep(rule.delayMilliseconds);
    // A rule answers (rather than only delays) when it names a status or an edge page.
    const injected = rule !== undefined && (rule.status !== undefined || rule.page !== undefined);
    const match = findRoute(definition.apiRoutes, request.method, request.path);
    // A call no route matches, or one that crashed the fake, is a surprise a test should see.
    let unexpected = match === undefined;
    let response: FakeResponse;
    if (rule !== undefined && injected) {
      response = definition.createFailureResponse(rule, request);
    } else if (match === undefined) {
      const explanation = `unexpected call ${request.method} ${request.path}: the ${definition.name} fake emulates no such route`;
      console.error(`[${definition.name} fake] ${explanation}`);
      response = definition.createUnexpectedCallResponse(explanation);
    } else {
      const outcome = await runHandler(() => match.route.handle({ ...request, params: match.params }), request);
      response = outcome.response;
      unexpected = outcome.crashed;
    }

    const record: CallRecord = {
      sequence,
      receivedAt,
      method: request.method,
      ...redacted,
      status: response.status,
      unexpected,
      injected,
    };
    recorder.addRecord(record);
    return response;
  }

  async function runHandler(
    handle: () => FakeResponse | Promise<FakeResponse>,
    request: FakeRequest,
  ): Promise<{ response: FakeResponse; crashed: boolean }> {
    try {
      return { response: await handle(), crashed: false };
    } catch (error) {
      if (error instanceof FakeHttpError) return { response: error.response, crashed: false };
      console.error(`[${definition.name} fake] handler for ${request.method} ${request.path} threw`, error);
      return {
        response: createJsonResponse(500, { fakeError: `${definition.name} fake crashed: ${String(error)}` }),
        crashed: true,
      };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(definition.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error(`${definition.name} fake did not bind a TCP port`);

  return {
    url: `http://127.0.0.1:${address.port}`,
    recorder,
    failures,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readFakeRequest(incoming: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maximumBodyBytes) throw new Error("request body larger than 25 MiB");
    chunks.push(buffer);
  }
  const url = new URL(incoming.url ?? "/", "http://fake.invalid");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return {
    method: (incoming.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers,
    bodyText: Buffer.concat(chunks).toString("utf8"),
    params: {},
  };
}
