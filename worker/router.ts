import { type IRequest, Router } from "itty-router";
import { handleAdmin } from "./admin/handleAdmin";
import { type AppContext, closeAppContext, createAppContext } from "./context";
import { readDevClock } from "./devClock";
import { handleInteraction } from "./discord/handleInteraction";
import { verifyDiscordRequest } from "./discord/verifyDiscordRequest";
import { readConfig, type WorkerBindings } from "./env";
import { ConfigurationError, HttpError } from "./errors";
import { checkHealth } from "./http/checkHealth";
import { handleClaimCallback } from "./http/claim/handleClaimCallback";
import { handleClaimPage, handleClaimSignIn } from "./http/claim/handleClaimPage";
import { claimCopyScriptPath, respondClaimCopyScript } from "./http/claim/renderClaimPage";
import { handleLinkPage } from "./http/handleLinkPage";
import { handleOAuthCallback } from "./http/handleTwitchCallback";
import { buildInstallLink } from "./http/installLink";
import { handleOverlay } from "./http/overlay/handleOverlay";
import { handleRafflePage } from "./http/raffle/handleRafflePage";
import { renderLandingPage } from "./http/renderLandingPage";
import { resolveBrowserLocale } from "./http/renderMessagePage";
import { respondNotFound } from "./http/respondNotFound";
import { createLogger, type Logger } from "./log";
import { redactOverlayToken } from "./overlay/overlayUrl";
import { eventSubReactions } from "./raffle/eventSubReactions";
import { twitchLinkReactions } from "./raffle/twitchLinkReactions";
import { handleEventSub } from "./twitch/handleEventSub";

type RouteArguments = [bindings: WorkerBindings, execution: ExecutionContext];
type AppRequest = IRequest & { app: AppContext };

/**
 * The HTTP pipeline: /health works without valid configuration; every other route gets an
 * AppContext first. Handlers return responses or throw; errors become responses in `catch`.
 */
export const router = Router<IRequest, RouteArguments>({
  catch: respondToError,
  finally: [closeRequestContext],
});

router
  .get("/health", (_request, bindings, execution) => checkHealth(bindings, execution))
  .all("*", attachAppContext)
  .get("/", (request) => renderLandingPage(resolveBrowserLocale(request.headers.get("accept-language"))))
  .get("/install", (request: AppRequest) =>
    Response.redirect(buildInstallLink(request.app.config.discordApplicationId), 302),
  )
  .post("/interactions", async (request: AppRequest) => {
    const body = await verifyDiscordRequest(request, request.app.config.discordPublicKey, request.app.now());
    return handleInteraction(body, request.app);
  })
  .get("/twitch/link/:linkId", (request: AppRequest) =>
    handleLinkPage(request, request.app, request.params.linkId ?? ""),
  )
  .get("/twitch/callback", (request: AppRequest) => handleOAuthCallback(request, request.app, twitchLinkReactions))
  .post("/twitch/eventsub", (request: AppRequest) => handleEventSub(request, request.app, eventSubReactions))
  // The public raffle page, its record (.json) and its spreadsheet (.csv): one segment, split by suffix.
  .get("/r/:file", (request: AppRequest) => handleRafflePage(request, request.app, request.params.file ?? ""))
  // A winner's claim page, its Twitch sign-in and the copy button's script (callback and script before the id).
  .get("/claim/callback", (request: AppRequest) => handleClaimCallback(request, request.app))
  .get(claimCopyScriptPath, () => respondClaimCopyScript())
  .get("/claim/:claim/sign-in", (request: AppRequest) =>
    handleClaimSignIn(request, request.app, request.params.claim ?? ""),
  )
  .get("/claim/:claim", (request: AppRequest) => handleClaimPage(request, request.app, request.params.claim ?? ""))
  // The on-stream overlay: its page, its catch-up state and its live socket (worker/http/overlay).
  .get("/overlay/:token/state", (request: AppRequest) =>
    handleOverlay(request, request.app, request.params.token ?? "", "state"),
  )
  .get("/overlay/:token/live", (request: AppRequest) =>
    handleOverlay(request, request.app, request.params.token ?? "", "live"),
  )
  .get("/overlay/:token", (request: AppRequest) =>
    handleOverlay(request, request.app, request.params.token ?? "", "page"),
  )
  .all("/admin/*", (request: AppRequest, bindings) => handleAdmin(request, request.app, bindings))
  .all("*", (request) => respondNotFound(request));

async function attachAppContext(
  request: IRequest,
  bindings: WorkerBindings,
  execution: ExecutionContext,
): Promise<void> {
  const configResult = readConfig(bindings);
  if (!configResult.ok) throw new ConfigurationError(configResult.problems.map((entry) => entry.name));
  const log = createLogger({
    requestId: crypto.randomUUID(),
    method: request.method,
    path: redactOverlayToken(new URL(request.url).pathname),
  });
  const now = await readDevClock(configResult.config, log);
  (request as AppRequest).app = createAppContext({
    config: configResult.config,
    log,
    execution,
    now,
    overlays: bindings.OVERLAY,
  });
}

function respondToError(error: unknown, request: IRequest): Response {
  const log: Logger =
    (request as Partial<AppRequest>).app?.log ??
    createLogger({ path: redactOverlayToken(new URL(request.url).pathname) });
  if (error instanceof ConfigurationError) {
    log.error("configuration is invalid; see /health", { invalid: error.invalidNames.join(", ") });
    return error.toResponse();
  }
  if (error instanceof HttpError) return error.toResponse();
  log.error("request failed", { error });
  return Response.json({ error: "Something went wrong on our side. Please try again." }, { status: 500 });
}

function closeRequestContext(response: Response, request: IRequest): Response {
  const app = (request as Partial<AppRequest>).app;
  if (app) closeAppContext(app);
  return response;
}
