import type { OverlayEvent } from "./overlayEvents";

/**
 * What the Worker calls on a server's overlay object (OverlayRoom.ts) through the OVERLAY
 * binding, declared structurally so modules that Node scripts also load (the commands, for
 * `npm run register`) never import the Durable Object class and its `cloudflare:workers` base.
 */
export interface OverlayRoomStub {
  /** Sends the event to every open overlay socket, once per connection for a given key; how many got it. */
  publish(event: OverlayEvent, key: string | null): Promise<number>;
  /** The server's link was replaced: sockets opened with another token digest close; how many did. */
  replaceToken(digest: string): Promise<number>;
  /** `/overlay/{token}/live` handed over by the Worker once the token is known. */
  fetch(request: Request): Promise<Response>;
}

export interface OverlayNamespace {
  getByName(name: string): OverlayRoomStub;
}

/** Header carrying the connecting token's digest from the Worker to the object (never the token). */
export const tokenDigestHeader = "x-overlay-token-digest";

/** The close code an overlay socket gets when its link is replaced: the page stops reconnecting. */
export const linkReplacedCloseCode = 4404;

/** The object's answer to a socket whose token digest is not the one it holds (OverlayRoom.fetch). */
export const overlayDigestConflictStatus = 409;
