import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";

/** The bindings this run's Worker gets (real local services, fakes, test credentials). */
export function testEnvironment(): WorkerBindings {
  return env as unknown as WorkerBindings;
}

/**
 * Calls the Worker's own fetch handler with the test bindings, or with `overrides` to test
 * bad configuration or unreachable dependencies, and waits for its background work.
 */
export async function callWorker(request: Request, overrides: Partial<WorkerBindings> = {}): Promise<Response> {
  return (await callWorkerTimed(request, overrides)).response;
}

/** Like callWorker, also telling how long the response itself took (before background work). */
export async function callWorkerTimed(
  request: Request,
  overrides: Partial<WorkerBindings> = {},
): Promise<{ response: Response; responseMilliseconds: number }> {
  const bindings = { ...testEnvironment(), ...overrides };
  const execution = createExecutionContext();
  // The Worker's handler types incoming requests with Cloudflare's edge properties.
  const incoming = request as Request<unknown, IncomingRequestCfProperties>;
  const started = Date.now();
  const response = await worker.fetch(incoming, bindings, execution);
  const responseMilliseconds = Date.now() - started;
  await waitOnExecutionContext(execution);
  return { response, responseMilliseconds };
}

/**
 * Runs the Worker's scheduled handler for the cron's minute `scheduledTime` with the test bindings
 * and `overrides`, as the Cron Trigger would, and waits for its background work.
 */
export async function runScheduledTick(scheduledTime: number, overrides: Partial<WorkerBindings> = {}): Promise<void> {
  const execution = createExecutionContext();
  const controller = createScheduledController({ scheduledTime: new Date(scheduledTime), cron: "* * * * *" });
  await worker.scheduled(controller, { ...testEnvironment(), ...overrides }, execution);
  await waitOnExecutionContext(execution);
}
