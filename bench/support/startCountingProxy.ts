import { Agent, createServer, type IncomingMessage, type ServerResponse, request as sendRequest } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

/** What went through a counting proxy so far. */
export interface ProxyCounts {
  /** Plain HTTP requests (each one a Worker subrequest). */
  requests: number;
  /** WebSocket upgrades (each one a Worker subrequest that then stays open). */
  upgrades: number;
  /**
   * What `countRequestCommands` counted in the request bodies (the Upstash bridge: Redis commands,
   * which Upstash bills one by one, a pipeline's each); 0 without it.
   */
  commands: number;
}

/** A transparent HTTP and WebSocket proxy on 127.0.0.1 that counts what passes through it. */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  readCounts(): ProxyCounts;
  /** WebSocket tunnels still open. */
  readOpenUpgrades(): number;
  stop(): Promise<void>;
}

/**
 * Puts a counter in front of a local service (the Upstash bridge, the Neon wsproxy): the Worker
 * is pointed at the proxy, so every subrequest it makes to that service is seen here, without
 * touching the service or the Worker.
 */
export async function startCountingProxy(
  target: { host: string; port: number },
  options: {
    /** Called for each upgrade; what it returns reads that WebSocket's client-to-server bytes. */
    readClientBytes?: () => (chunk: Buffer) => void;
    /** Counts what a plain HTTP request carries (its path and whole body), added to `commands`. */
    countRequestCommands?: (path: string, body: Buffer) => number;
  } = {},
): Promise<CountingProxy> {
  const counts: ProxyCounts = { requests: 0, upgrades: 0, commands: 0 };
  let openUpgrades = 0;
  const agent = new Agent({ keepAlive: true });
  const tunnels = new Set<Duplex>();

  const server = createServer((incoming, outgoing) => {
    counts.requests += 1;
    const countCommands = options.countRequestCommands;
    if (countCommands !== undefined) {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        try {
          counts.commands += countCommands(incoming.url ?? "/", Buffer.concat(chunks));
        } catch (error) {
          console.error("counting proxy: command counter failed", error);
        }
      });
    }
    forwardRequest(incoming, outgoing, target, agent);
  });
  server.on("upgrade", (incoming: IncomingMessage, client: Duplex, head: Buffer) => {
    counts.upgrades += 1;
    openUpgrades += 1;
    const reader = options.readClientBytes?.();
    const upstream = connect(target.port, target.host);
    tunnels.add(client);
    tunnels.add(upstream);
    let forgotten = false;
    const forget = () => {
      if (!forgotten) openUpgrades -= 1;
      forgotten = true;
      tunnels.delete(client);
      tunnels.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", forget).on("error", forget);
    upstream.on("close", forget).on("error", forget);
    upstream.once("connect", () => {
      upstream.write(describeRequestHead(incoming));
      if (head.length > 0) upstream.write(head);
      if (reader !== undefined) {
        if (head.length > 0) reader(head);
        client.on("data", (chunk: Buffer) => {
          try {
            reader(chunk);
          } catch (error) {
            console.error("counting proxy: reader failed", error);
          }
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("counting proxy did not bind a TCP port");

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    readCounts: () => ({ ...counts }),
    readOpenUpgrades: () => openUpgrades,
    stop: async () => {
      for (const tunnel of tunnels) tunnel.destroy();
      agent.destroy();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Reads `host:port` out of a URL (`http://127.0.0.1:1234`) or a wsproxy address (`127.0.0.1:1234/v1`). */
export function readProxyTarget(address: string): { host: string; port: number } {
  const url = new URL(address.includes("://") ? address : `http://${address}`);
  const port = Number(url.port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in ${address}`);
  return { host: url.hostname, port };
}

function forwardRequest(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  target: { host: string; port: number },
  agent: Agent,
): void {
  const upstream = sendRequest(
    {
      host: target.host,
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on("error", (error) => {
    if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
    outgoing.end(`counting proxy: ${error.message}`);
  });
  incoming.pipe(upstream);
}

/** The upgrade request as it arrived, to replay it to the target before piping raw bytes. */
function describeRequestHead(incoming: IncomingMessage): string {
  const lines = [`${incoming.method ?? "GET"} ${incoming.url ?? "/"} HTTP/${incoming.httpVersion}`];
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    lines.push(`${incoming.rawHeaders[index]}: ${incoming.rawHeaders[index + 1]}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

export function subtractCounts(after: ProxyCounts, before: ProxyCounts): ProxyCounts {
  return {
    requests: after.requests - before.requests,
    upgrades: after.upgrades - before.upgrades,
    commands: after.commands - before.commands,
  };
}

/**
 * Redis commands in one Upstash REST request: `POST /` carries one command (a JSON array),
 * `/pipeline` and `/multi-exec` a JSON array of them; the path form is one command.
 */
export function countUpstashCommands(path: string, body: Buffer): number {
  const route = path.split("?")[0] ?? "/";
  if (route === "/pipeline" || route === "/multi-exec") {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return Array.isArray(parsed) ? parsed.length : 0;
  }
  return 1;
}
