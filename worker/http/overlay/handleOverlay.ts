import type { AppContext } from "../../context";
import { HttpError } from "../../errors";
import { resolveLocale } from "../../i18n/translate";
import { overlayDigestConflictStatus, tokenDigestHeader } from "../../overlay/overlayBinding";
import { readOverlayState } from "../../overlay/overlayDraws";
import { findOverlayGuild, readOverlayDigest } from "../../overlay/overlayLinks";
import { respondNotFound } from "../respondNotFound";
import { renderOverlayPage } from "./renderOverlayPage";

/**
 * `/overlay/{token}`, `/overlay/{token}/state` and `/overlay/{token}/live` (docs/contract.md). The token is
 * found by its digest; an unknown or replaced one answers 404 like any missing page, and nothing
 * else about the server is told.
 */
export async function handleOverlay(
  request: Request,
  app: AppContext,
  token: string,
  part: "page" | "state" | "live",
): Promise<Response> {
  const link = await findOverlayGuild(app.database, token);
  if (!link) return respondNotFound(request);
  if (part === "page") return renderOverlayPage(resolveLocale(link.locale));
  if (part === "state") {
    const state = await readOverlayState(app.database, app.config.publicBaseUrl, link.guildId);
    return Response.json(state, { headers: { "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  }
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    const response = new HttpError(
      426,
      "This address is a WebSocket: connect with an Upgrade: websocket request.",
    ).toResponse();
    response.headers.set("upgrade", "websocket");
    return response;
  }
  if (!app.overlays) throw new Error("the OVERLAY Durable Object binding is missing (wrangler.toml)");
  const room = app.overlays.getByName(link.guildId);
  const connect = () =>
    room.fetch(
      new Request("https://overlay.internal/live", {
        headers: { upgrade: "websocket", [tokenDigestHeader]: link.digest },
      }),
    );
  const answer = await connect();
  if (answer.status !== overlayDigestConflictStatus) return answer;
  // The object holds another digest. The database decides: a link replaced meanwhile is a 404; a
  // replacement the object missed (/overlay's call to it failed) is told to it now, which also
  // closes the sockets still open on the old link, and this socket connects.
  await answer.body?.cancel();
  const current = await findOverlayGuild(app.database, token);
  if (current?.digest !== link.digest) return respondNotFound(request);
  app.log.warn("overlay object held a replaced link's digest; catching it up", { guildId: link.guildId });
  await room.replaceToken(link.digest);
  // A /overlay new_link between the read and that call: the object takes the newest digest again.
  const newest = await readOverlayDigest(app.database, link.guildId);
  if (newest !== link.digest) {
    if (newest !== undefined) await room.replaceToken(newest);
    return respondNotFound(request);
  }
  const retried = await connect();
  if (retried.status !== overlayDigestConflictStatus) return retried;
  await retried.body?.cancel();
  return respondNotFound(request);
}
