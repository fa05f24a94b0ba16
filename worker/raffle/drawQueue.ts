import { z } from "zod";
import { closeAppContext, createAppContext } from "../context";
import { findDueRaffle } from "../db/dueRaffles";
import { readConfig, type WorkerBindings } from "../env";
import { createLogger, describeError } from "../log";
import { announcePending } from "./announcePending";
import { readCachedSamples } from "./gatherCandidates";
import { runRaffleSlot } from "./runRaffleSlot";

/** One raffle's slot, handed from the tick to a queue consumer when there are many live raffles. */
export interface DrawMessage {
  raffleId: string;
  slotAt: number;
}

const drawMessageSchema = z.object({ raffleId: z.string().regex(/^\d+$/), slotAt: z.number().int() });

/**
 * The queue consumer: the same slot work as the direct path, a batch at a time. A message is
 * acknowledged once its slot is settled; a failure is retried (the unique slot keeps a retry
 * from drawing twice).
 */
export async function consumeDrawBatch(
  batch: MessageBatch<unknown>,
  bindings: WorkerBindings,
  execution: ExecutionContext,
): Promise<void> {
  const log = createLogger({ queueBatchId: crypto.randomUUID(), queue: batch.queue });
  const configResult = readConfig(bindings);
  if (!configResult.ok) {
    log.error("queue batch left for retry: configuration is invalid; see /health", {
      invalid: configResult.problems.map((entry) => entry.name).join(", "),
    });
    batch.retryAll();
    return;
  }
  for (const message of batch.messages) {
    const parsed = drawMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log.error("dropping a malformed draw message", { messageId: message.id });
      message.ack();
      continue;
    }
    const { raffleId, slotAt } = parsed.data;
    const app = createAppContext({
      config: configResult.config,
      log: log.child({ raffleId }),
      execution,
      now: () => slotAt,
    });
    try {
      const raffle = await findDueRaffle(app.database, raffleId);
      if (raffle) {
        const cached = await readCachedSamples(app, [raffle.twitchBroadcasterId]);
        const outcome = await runRaffleSlot(app, raffle, slotAt, cached.get(raffle.twitchBroadcasterId));
        if (outcome.kind === "drawn") await announcePending(app, [outcome.drawId]);
      }
      message.ack();
    } catch (error) {
      app.log.error("draw message failed; will retry", { error: describeError(error), raffleId });
      message.retry();
    } finally {
      closeAppContext(app);
    }
  }
}
