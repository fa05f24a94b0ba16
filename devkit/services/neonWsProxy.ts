import { createServer, type IncomingMessage } from "node:http";
import { BlockList, connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";

/** A running WebSocket-to-TCP proxy speaking Neon's wsproxy protocol. */
export interface NeonWsProxy {
  /** The Worker's `NEON_WS_PROXY` value, `127.0.0.1:<port>/v1`; the driver appends `?address=host:port`. */
  address: string;
  port: number;
  stop(): Promise<void>;
}

interface ProxyTarget {
  host: string;
  port: number;
}

interface ProxyRefusal {
  status: 400 | 403 | 404;
  reason: string;
}

const proxyPath = "/v1";
/** Stop reading from Postgres while this many bytes wait to go out on the WebSocket. */
const webSocketBufferLimit = 1024 * 1024;

// The proxy lets whoever can reach it open TCP connections, so it only ever dials this machine.
const loopbackAddresses = new BlockList();
loopbackAddresses.addSubnet("127.0.0.0", 8, "ipv4");
loopbackAddresses.addAddress("::1", "ipv6");

/**
 * Starts the proxy on 127.0.0.1. It does what neondatabase/wsproxy does: a WebSocket upgrade at
 * `/v1?address=host:port` opens a TCP connection to the target, binary frames are copied both
 * ways, and each side is closed when the other closes. Port 0 (the default) picks a free port.
 */
export async function startNeonWsProxy(options: { port?: number } = {}): Promise<NeonWsProxy> {
  const webSocketServer = new WebSocketServer({ noServer: true });
  // Upgraded sockets leave the HTTP server's bookkeeping, so stop() closes them itself.
  const openSockets = new Set<Duplex>();
  const httpServer = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain", connection: "close" });
    response.end(`WebSocket-to-TCP proxy: open a WebSocket to ${proxyPath}?address=host:port\n`);
  });

  httpServer.on("upgrade", (request: IncomingMessage, clientSocket: Duplex, head: Buffer) => {
    openSockets.add(clientSocket);
    clientSocket.once("close", () => openSockets.delete(clientSocket));
    const target = readTarget(request);
    if ("reason" in target) {
      refuseUpgrade(clientSocket, target.status, target.reason);
      return;
    }
    // Upgrade first and dial after, as neondatabase/wsproxy does: a target that is down closes
    // the WebSocket (1011) rather than refusing the upgrade, which is what the Neon driver meets
    // in production. Frames the client sends before the dial completes wait in order.
    webSocketServer.handleUpgrade(request, clientSocket, head, (webSocket) => {
      const targetSocket = connect({ host: target.host, port: target.port });
      openSockets.add(targetSocket);
      targetSocket.once("close", () => openSockets.delete(targetSocket));
      const early: Buffer[] = [];
      const holdEarly = (data: RawData) => early.push(toBuffer(data));
      const abandonDial = () => targetSocket.destroy();
      webSocket.on("message", holdEarly);
      webSocket.once("close", abandonDial);
      targetSocket.once("error", (error) => {
        webSocket.close(1011, `could not connect to ${target.host}:${target.port}: ${error.message}`.slice(0, 120));
      });
      targetSocket.once("connect", () => {
        webSocket.off("message", holdEarly);
        webSocket.off("close", abandonDial);
        targetSocket.removeAllListeners("error");
        for (const chunk of early) targetSocket.write(chunk);
        bridgeSockets(webSocket, targetSocket);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? 0, "127.0.0.1", () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const listening = httpServer.address();
  if (listening === null || typeof listening === "string") {
    throw new Error("The Neon WebSocket proxy is not listening on a TCP port");
  }

  let stopping: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${listening.port}${proxyPath}`,
    port: listening.port,
    stop() {
      stopping ??= (async () => {
        for (const socket of openSockets) socket.destroy();
        await new Promise<void>((resolve) => webSocketServer.close(() => resolve()));
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })();
      return stopping;
    },
  };
}

function readTarget(request: IncomingMessage): ProxyTarget | ProxyRefusal {
  const url = new URL(request.url ?? "/", "http://proxy.invalid");
  if (url.pathname !== proxyPath) {
    return { status: 404, reason: `Unknown path ${url.pathname}; use ${proxyPath}?address=host:port` };
  }
  const address = url.searchParams.get("address");
  const match = address === null ? null : /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { status: 400, reason: "Expected ?address=host:port" };
  }
  if (!isLoopbackHost(host)) {
    return { status: 403, reason: `Refused target ${host}: this proxy only connects to loopback addresses` };
  }
  return { host, port };
}

function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  return loopbackAddresses.check(host, "ipv4") || loopbackAddresses.check(host, "ipv6");
}

function refuseUpgrade(clientSocket: Duplex, status: number, reason: string): void {
  const statusTexts: Record<number, string> = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
  };
  const body = `${reason}\n`;
  if (!clientSocket.writable) {
    clientSocket.destroy();
    return;
  }
  clientSocket.once("finish", () => clientSocket.destroy());
  clientSocket.end(
    `HTTP/1.1 ${status} ${statusTexts[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function bridgeSockets(webSocket: WebSocket, targetSocket: Socket): void {
  targetSocket.setNoDelay(true);

  webSocket.on("message", (data) => {
    if (!targetSocket.write(toBuffer(data))) webSocket.pause();
  });
  targetSocket.on("drain", () => webSocket.resume());

  targetSocket.on("data", (chunk) => {
    webSocket.send(chunk, { binary: true }, () => {
      if (targetSocket.isPaused() && webSocket.bufferedAmount < webSocketBufferLimit) targetSocket.resume();
    });
    if (webSocket.bufferedAmount >= webSocketBufferLimit) targetSocket.pause();
  });

  webSocket.on("close", () => targetSocket.end());
  webSocket.on("error", () => targetSocket.destroy());
  targetSocket.on("error", () => {
    // "close" follows with hadError set; the WebSocket is closed there.
  });
  targetSocket.on("close", (hadError) => {
    if (webSocket.readyState === WebSocket.OPEN) {
      webSocket.close(hadError ? 1011 : 1000, hadError ? "target connection failed" : "target closed");
    } else if (webSocket.readyState === WebSocket.CONNECTING) {
      webSocket.terminate();
    }
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
