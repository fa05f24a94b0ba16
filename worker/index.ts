import type { WorkerBindings } from "./env";
import { consumeDrawBatch } from "./raffle/drawQueue";
import { runTick } from "./raffle/runTick";
import { router } from "./router";

export default {
  fetch: (request, bindings, execution) => router.fetch(request, bindings, execution),
  scheduled: (controller, bindings, execution) => runTick(controller, bindings, execution),
  queue: (batch, bindings, execution) => consumeDrawBatch(batch, bindings, execution),
} satisfies ExportedHandler<WorkerBindings>;

/** The on-stream overlay's Durable Object class (wrangler.toml OVERLAY). */
export { OverlayRoom } from "./overlay/OverlayRoom";
