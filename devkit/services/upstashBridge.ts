import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { describeUnsafeCommand } from "./describeUnsafeCommand";
import { encodeUpstashResult, type UpstashEncoding, type UpstashValue } from "./encodeUpstashResult";
import { connectRedisBackend, createMemoryBackend, type RedisBackend } from "./redisBackends";

/**
 * A running HTTP server that speaks the Upstash Redis REST protocol in front of a real Redis, or
 * in front of an in-memory store (for `npm run dev` on a machine without Redis).
 */
export interface UpstashBridge {
  /** The `UPSTASH_REDIS_REST_URL` value, `http://127.0.0.1:<port>`. */
  url: string;
  /** The `UPSTASH_REDIS_REST_TOKEN` value. */
  token: string;
  stop(): Promise<void>;
}

export type UpstashBridgeOptions = {
  token: string;
  /** 0 (the default) picks a free port. */
  port?: number;
} & (
  | {
      /** The Redis to serve, database number included (`redis://127.0.0.1:6379/7`). */
      redisUrl: string;
    }
  | {
      /**
       * Serve from memory (MemoryRedisStore): for development only. Nothing is kept after stop and
       * only the commands of MemoryRedisStore are known.
       */
      inMemory: true;
    }
);

type UpstashReply = { result: UpstashValue } | { error: string };

interface BridgeResponse {
  status: number;
  body: UpstashReply | UpstashReply[];
}

/** An error the bridge answers itself, with its status, instead of asking Redis. */
class BridgeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const maximumBodyBytes = 16 * 1024 * 1024;

/**
 * Starts the bridge on 127.0.0.1. It serves what `@upstash/redis` sends with its default options:
 * `POST /` with one command as a JSON array, `POST /pipeline` and `POST /multi-exec` with a 2-D
 * array, `Upstash-Encoding: base64`, and an `upstash-sync-token` header that it ignores (one Redis,
 * so every read already sees every earlier write).
 */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const redis = "redisUrl" in options ? await connectRedisBackend(options.redisUrl) : createMemoryBackend();
  const tokenDigest = digestToken(options.token);

  const server = createServer((request, response) => {
    answerRequest(request, redis, tokenDigest).then(
      (answer) => writeJson(response, answer.status, answer.body),
      (error: unknown) => {
        const status = error instanceof BridgeError ? error.status : 500;
        writeJson(response, status, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await redis.close();
    throw error;
  }
  const listening = server.address();
  if (listening === null || typeof listening === "string") {
    throw new Error("The Upstash bridge is not listening on a TCP port");
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${listening.port}`,
    token: options.token,
    stop() {
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await redis.close();
      })();
      return stopping;
    },
  };
}

async function answerRequest(
  request: IncomingMessage,
  redis: RedisBackend,
  tokenDigest: Buffer,
): Promise<BridgeResponse> {
  const path = new URL(request.url ?? "/", "http://bridge.invalid").pathname;
  if (path !== "/" && path !== "/pipeline" && path !== "/multi-exec") {
    throw new BridgeError(404, `Not found: ${path}. The local bridge serves POST /, /pipeline and /multi-exec only`);
  }
  if (request.method !== "POST") {
    throw new BridgeError(405, `Method ${request.method ?? ""} not allowed; use POST`);
  }
  if (!isAuthorized(request, tokenDigest)) throw new BridgeError(401, "Unauthorized");
  const responseFormat = readHeader(request, "upstash-response-format");
  if (responseFormat !== undefined && responseFormat.toLowerCase() !== "json") {
    throw new BridgeError(400, `Upstash-Response-Format ${responseFormat} is not supported by the local bridge`);
  }
  const encoding: UpstashEncoding =
    readHeader(request, "upstash-encoding")?.toLowerCase() === "base64" ? "base64" : "text";
  const body = await readJsonBody(request);

  if (path === "/") {
    const reply = await runCommand(redis, parseCommand(body), encoding);
    return { status: "error" in reply ? 400 : 200, body: reply };
  }
  if (!Array.isArray(body) || body.length === 0) {
    throw new BridgeError(400, "ERR expected a non-empty JSON array of commands");
  }
  const commands = body.map(parseCommand);
  if (path === "/pipeline") {
    return { status: 200, body: await Promise.all(commands.map((command) => runCommand(redis, command, encoding))) };
  }
  return { status: 200, body: await runTransaction(redis, commands, encoding) };
}

async function runCommand(redis: RedisBackend, command: string[], encoding: UpstashEncoding): Promise<UpstashReply> {
  const refusal = describeUnsafeCommand(command);
  if (refusal !== undefined) return { error: refusal };
  try {
    return { result: encodeUpstashResult(await redis.call(command), encoding) };
  } catch (error) {
    return { error: readErrorMessage(error) };
  }
}

/** MULTI/EXEC, all or nothing: a refused or unknown command discards the whole transaction. */
async function runTransaction(
  redis: RedisBackend,
  commands: string[][],
  encoding: UpstashEncoding,
): Promise<UpstashReply[]> {
  for (const command of commands) {
    const refusal = describeUnsafeCommand(command);
    if (refusal !== undefined) throw new BridgeError(400, `${refusal}; transaction discarded`);
  }
  let results: [error: Error | null, result: unknown][];
  try {
    results = await redis.callTransaction(commands);
  } catch (error) {
    throw new BridgeError(400, readErrorMessage(error));
  }
  return results.map(([error, result]) =>
    error === null ? { result: encodeUpstashResult(result, encoding) } : { error: error.message },
  );
}

function parseCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BridgeError(400, 'ERR a command must be a non-empty JSON array such as ["SET","key","value"]');
  }
  return value.map((argument: unknown) => {
    if (typeof argument === "string") return argument;
    if (typeof argument === "number" || typeof argument === "boolean") return String(argument);
    throw new BridgeError(400, "ERR command arguments must be strings, numbers or booleans");
  });
}

function readErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAuthorized(request: IncomingMessage, tokenDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
  return match?.[1] !== undefined && timingSafeEqual(digestToken(match[1]), tokenDigest);
}

function readHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function digestToken(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maximumBodyBytes) throw new BridgeError(413, "ERR request body too large");
    chunks.push(bytes);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BridgeError(400, "ERR failed to parse the request body as JSON");
  }
}

function writeJson(response: ServerResponse, status: number, body: BridgeResponse["body"]): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(status === 405 ? { allow: "POST" } : {}),
  });
  response.end(text);
}
