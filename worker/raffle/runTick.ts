import { closeAppContext, createAppContext } from "../context";
import { deleteExpiredOAuthStates } from "../db/oauthStates";
import { readConfig, type WorkerBindings } from "../env";
import { createLogger } from "../log";
import { validateDueLinks } from "../twitch/validateLinks";

/**
 * The Cron Trigger. "Now" is the controller's scheduledTime, never the wall clock, so a
 * minute can be replayed.
 */
export async function runTick(
  controller: ScheduledController,
  bindings: WorkerBindings,
  execution: ExecutionContext,
): Promise<void> {
  const log = createLogger({ tickId: crypto.randomUUID(), scheduledTime: controller.scheduledTime });
  const configResult = readConfig(bindings);
  if (!configResult.ok) {
    log.error("tick skipped: configuration is invalid; see /health", {
      invalid: configResult.problems.map((entry) => entry.name).join(", "),
    });
    return;
  }
  const app = createAppContext({ config: configResult.config, log, execution, now: () => controller.scheduledTime });
  try {
    const validation = await validateDueLinks(app);
    await deleteExpiredOAuthStates(app.database, app.now());
    log.info("tick finished", { linksValidated: validation.validated, linkValidationFailures: validation.failed });
  } finally {
    closeAppContext(app);
  }
}
