import { DurableObject } from "cloudflare:workers";
import type { WorkerBindings } from "../env";
import { linkReplacedCloseCode, overlayDigestConflictStatus, tokenDigestHeader } from "./overlayBinding";
import type { OverlayEvent } from "./overlayEvents";

/** Open sockets per server: a leaked link cannot pile up connections on the server's object. */
export const maximumOverlaySockets = 16;

/** Event keys remembered for "once per connection" (a retried publish); older ones are forgotten. */
const rememberedEventKeys = 500;

/**
 * One server's on-stream overlay: every OBS Browser Source showing `/overlay/{token}` holds a
 * WebSocket here, and the draw path publishes each committed draw, redraw and claim to it. It uses
 * the WebSocket Hibernation API: sockets are accepted with `ctx.acceptWebSocket` (tagged with the
 * token digest they opened with), pings are answered by the runtime (`setWebSocketAutoResponse`)
 * without waking the object, and no state lives in memory, so an idle overlay costs no duration
 * and a woken object finds its sockets with `ctx.getWebSockets()`. Its SQLite storage keeps the
 * current token digest and the keys of the events sent.
 */
export class OverlayRoom extends DurableObject<WorkerBindings> {
  constructor(ctx: DurableObjectState, env: WorkerBindings) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.storage.sql.exec(
      `create table if not exists sent_events (key text primary key, sent_at integer not null);
       create table if not exists settings (name text primary key, value text not null);`,
    );
  }

  /** Only the Worker reaches this (the binding): it checked the token and names it by its digest. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const digest = request.headers.get(tokenDigestHeader) ?? "";
    if (!/^[0-9a-f]{64}$/.test(digest)) return new Response("not found", { status: 404 });
    const current = this.readSetting("token_digest");
    // Another digest than the one stored here: a socket whose link was replaced while it was on its
    // way, or a replacement this object never heard of (its call failed). The Worker asks the
    // database which, and calls replaceToken when this digest is the current one (handleOverlay.ts).
    if (current !== undefined && current !== digest) {
      return new Response("another token digest is current here", { status: overlayDigestConflictStatus });
    }
    if (this.ctx.getWebSockets().length >= maximumOverlaySockets) {
      return new Response("too many overlays open", { status: 429 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [digest]);
    return new Response(null, { status: 101, webSocket: client });
  }

  async publish(event: OverlayEvent, key: string | null): Promise<number> {
    if (key !== null) {
      const seen = this.ctx.storage.sql.exec("select 1 from sent_events where key = ?", key).toArray();
      if (seen.length > 0) return 0;
      this.ctx.storage.sql.exec("insert into sent_events (key, sent_at) values (?, ?)", key, Date.now());
      this.ctx.storage.sql.exec(
        "delete from sent_events where rowid <= (select max(rowid) from sent_events) - ?",
        rememberedEventKeys,
      );
    }
    const text = JSON.stringify(event);
    let sent = 0;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(text);
        sent += 1;
      } catch {
        // A socket closing as we send: the page catches up through /state when it reconnects.
      }
    }
    return sent;
  }

  async replaceToken(digest: string): Promise<number> {
    this.ctx.storage.sql.exec(
      "insert into settings (name, value) values ('token_digest', ?) on conflict (name) do update set value = excluded.value",
      digest,
    );
    let closed = 0;
    for (const socket of this.ctx.getWebSockets()) {
      if (this.ctx.getTags(socket).includes(digest)) continue;
      try {
        socket.close(linkReplacedCloseCode, "overlay link replaced");
      } catch {
        // Already closing.
      }
      closed += 1;
    }
    return closed;
  }

  /** The page sends nothing but pings, which the runtime answers; anything else is ignored. */
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    try {
      socket.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // The runtime already answered the close.
    }
  }

  private readSetting(name: string): string | undefined {
    const rows = this.ctx.storage.sql
      .exec<{ value: string }>("select value from settings where name = ?", name)
      .toArray();
    return rows[0]?.value;
  }
}
