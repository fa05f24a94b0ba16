import type { WorkerBindings } from "./env";
import { runTick } from "./raffle/runTick";
import { router } from "./router";

export default {
  fetch: (request, bindings, execution) => router.fetch(request, bindings, execution),
  scheduled: (controller, bindings, execution) => runTick(controller, bindings, execution),
} satisfies ExportedHandler<WorkerBindings>;
