import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type NeonWsProxy, startNeonWsProxy } from "../services/neonWsProxy";
import { type PostgresServer, startPostgres } from "../services/postgres";

let postgres: PostgresServer;
let proxy: NeonWsProxy;

beforeAll(async () => {
  postgres = await startPostgres({ serverUrl: process.env.DATABASE_URL });
  proxy = await startNeonWsProxy();
  neonConfig.wsProxy = proxy.address;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
});

afterAll(async () => {
  await proxy?.stop();
  await postgres?.stop();
});

function createPool(connectionString: string): Pool {
  const pool = new Pool({ connectionString, max: 2 });
  // Ending the pool closes its WebSockets, which the driver reports as "Network connection lost".
  pool.on("error", () => {});
  return pool;
}

/** Opens a raw WebSocket to the proxy and returns the HTTP status it was refused with. */
async function readRefusalStatus(query: string, path = "/v1"): Promise<{ status: number; body: string }> {
  const webSocket = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}${query}`);
  webSocket.on("error", () => {});
  const [, response] = (await once(webSocket, "unexpected-response")) as [
    unknown,
    NodeJS.ReadableStream & { statusCode?: number },
  ];
  let body = "";
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

describe("startNeonWsProxy", () => {
  it("names itself the way NEON_WS_PROXY expects", () => {
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}/v1`);
    expect(proxy.port).toBeGreaterThan(0);
  });

  it("carries a Neon Pool's queries, parameters and transactions to Postgres", async () => {
    const pool = createPool(postgres.serverUrl);
    try {
      const selected = await pool.query("select 1 as one");
      expect(selected.rows).toEqual([{ one: 1 }]);

      const parameterized = await pool.query("select $1::text || $2::text as joined, $3::int * 2 as doubled", [
        "live",
        "loot",
        21,
      ]);
      expect(parameterized.rows).toEqual([{ joined: "liveloot", doubled: 42 }]);

      const client = await pool.connect();
      try {
        await client.query("create temporary table prizes (name text not null)");
        await client.query("begin");
        await client.query("insert into prizes values ($1)", ["rolled back"]);
        await client.query("rollback");
        await client.query("begin");
        await client.query("insert into prizes values ($1), ($2)", ["sword", "shield"]);
        await client.query("commit");
        const prizes = await client.query("select name from prizes order by name");
        expect(prizes.rows).toEqual([{ name: "shield" }, { name: "sword" }]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });

  it("refuses targets outside loopback and malformed requests", async () => {
    await expect(readRefusalStatus("?address=10.1.2.3:5432")).resolves.toMatchObject({
      status: 403,
      body: expect.stringContaining("loopback"),
    });
    await expect(readRefusalStatus("?address=example.com:5432")).resolves.toMatchObject({ status: 403 });
    await expect(readRefusalStatus("?address=[::2]:5432")).resolves.toMatchObject({ status: 403 });
    await expect(readRefusalStatus("")).resolves.toMatchObject({ status: 400 });
    await expect(readRefusalStatus("?address=127.0.0.1:99999")).resolves.toMatchObject({ status: 400 });
    await expect(readRefusalStatus("?address=127.0.0.1:5432", "/v2")).resolves.toMatchObject({ status: 404 });
  });

  it("upgrades, then closes the WebSocket with 1011 when nothing listens at the target", async () => {
    // Port 1 on loopback: allowed, but nothing listens there. Like neondatabase/wsproxy, the
    // upgrade succeeds and the socket closes once the dial fails.
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const socket = new WebSocket(`ws://${proxy.address}?address=127.0.0.1:1`);
      socket.on("error", reject);
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(closed.code).toBe(1011);
    expect(closed.reason).toContain("127.0.0.1:1");
  });

  it("makes a Neon Pool pointed at a remote host fail", async () => {
    const pool = createPool("postgres://postgres@10.1.2.3:5432/postgres");
    try {
      await expect(pool.query("select 1")).rejects.toThrow();
    } finally {
      await pool.end().catch(() => {});
    }
  });

  describe("with a TCP echo target", () => {
    let echoServer: Server;
    let echoPort: number;
    const targetSockets: Socket[] = [];

    beforeAll(async () => {
      echoServer = createServer((socket) => {
        targetSockets.push(socket);
        socket.on("error", () => {});
        socket.on("data", (chunk) => socket.write(chunk));
      });
      echoServer.listen(0, "127.0.0.1");
      await once(echoServer, "listening");
      const address = echoServer.address();
      echoPort = typeof address === "object" && address !== null ? address.port : 0;
    });

    afterAll(async () => {
      for (const socket of targetSockets) socket.destroy();
      await new Promise<void>((resolve) => echoServer.close(() => resolve()));
    });

    async function openWebSocket(): Promise<WebSocket> {
      const webSocket = new WebSocket(`ws://${proxy.address}?address=localhost:${echoPort}`);
      await once(webSocket, "open");
      return webSocket;
    }

    it("copies binary frames both ways", async () => {
      const webSocket = await openWebSocket();
      const payload = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
      webSocket.send(payload);
      const [echoed, isBinary] = (await once(webSocket, "message")) as [Buffer, boolean];
      expect(isBinary).toBe(true);
      expect(Buffer.compare(echoed, payload)).toBe(0);
      webSocket.close();
    });

    it("closes the target when the WebSocket closes", async () => {
      const before = targetSockets.length;
      const webSocket = await openWebSocket();
      await expect.poll(() => targetSockets.length).toBe(before + 1);
      const targetSocket = targetSockets[before];
      const targetClosed = once(targetSocket as Socket, "close");
      webSocket.close();
      await targetClosed;
      expect(targetSocket?.destroyed).toBe(true);
    });

    it("closes the WebSocket when the target closes", async () => {
      const before = targetSockets.length;
      const webSocket = await openWebSocket();
      await expect.poll(() => targetSockets.length).toBe(before + 1);
      const closed = once(webSocket, "close");
      targetSockets[before]?.end();
      const [code] = (await closed) as [number];
      expect(code).toBe(1000);
    });

    it("closes open connections at stop", async () => {
      const ownProxy = await startNeonWsProxy();
      const before = targetSockets.length;
      const webSocket = new WebSocket(`ws://${ownProxy.address}?address=127.0.0.1:${echoPort}`);
      await once(webSocket, "open");
      await expect.poll(() => targetSockets.length).toBe(before + 1);
      const closed = once(webSocket, "close");
      const targetClosed = once(targetSockets[before] as Socket, "close");
      await ownProxy.stop();
      await Promise.all([closed, targetClosed]);
      await expect(fetch(`http://${ownProxy.address}`)).rejects.toThrow();
    });
  });
});
