import * as z from "zod/mini";
import { type AppContext, closeAppContext, createAppContext } from "../context";
import { findDueRafflesByIds } from "../db/dueRaffles";
import { readConfig, type WorkerBindings } from "../env";
import { createLogger, describeError } from "../log";
import { publishDrawsToOverlays } from "../overlay/publishToOverlay";
import { announcePending } from "./announcePending";
import { queueDisposition } from "./drawOutcome";
import { readCachedSamples } from "./gatherCandidates";
import { makeDraws } from "./makeDraw";

/** One raffle's slot, handed from the tick to a queue consumer when there are many live raffles. */
export interface DrawMessage {
  raffleId: string;
  slotAt: number;
}

const drawMessageSchema = z.object({ raffleId: z.string().check(z.regex(/^\d+$/)), slotAt: z.number().check(z.int()) });

/**
 * The queue consumer: the same draw path as the tick's (raffle/makeDraw.ts), a batch at a time,
 * with one database connection and one Redis read per slot minute in the batch. A message is
 * acknowledged or retried as its outcome says (drawOutcome.ts queueDisposition); a fault is
 * retried (the unique slot keeps a retry from drawing twice).
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
  const bySlot = new Map<number, { message: Message<unknown>; raffleId: string }[]>();
  for (const message of batch.messages) {
    const parsed = drawMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log.error("dropping a malformed draw message", { messageId: message.id });
      message.ack();
      continue;
    }
    const group = bySlot.get(parsed.data.slotAt) ?? [];
    group.push({ message, raffleId: parsed.data.raffleId });
    bySlot.set(parsed.data.slotAt, group);
  }
  for (const [slotAt, entries] of bySlot) {
    const app = createAppContext({
      config: configResult.config,
      log,
      execution,
      now: () => slotAt,
      databaseTransport: "websocket",
      overlays: bindings.OVERLAY,
    });
    try {
      await drawSlotMessages(app, slotAt, entries);
    } finally {
      closeAppContext(app);
    }
  }
}

async function drawSlotMessages(
  app: AppContext,
  slotAt: number,
  entries: { message: Message<unknown>; raffleId: string }[],
): Promise<void> {
  const raffles = await findDueRafflesByIds(
    app.database,
    entries.map((entry) => entry.raffleId),
  );
  const cached = await readCachedSamples(
    app,
    raffles.map((raffle) => raffle.twitchBroadcasterId),
  );
  const drawIds: string[] = [];
  // A raffle stopped since the tick sent it has nothing left to do.
  const toDraw = entries.flatMap(({ message, raffleId }) => {
    const raffle = raffles.find((entry) => entry.id === raffleId);
    if (raffle) return [{ message, raffle }];
    message.ack();
    return [];
  });
  // One read of the entrants and one beacon round for the batch's slot (drawSlots.ts).
  const settled = await makeDraws(
    app,
    toDraw.map(({ raffle }) => ({
      kind: "scheduled" as const,
      raffle,
      slotAt,
      // The tick found the channel live; a stream.offline recorded since is believed.
      live: raffle.channel?.isLive !== false,
      cached: cached.get(raffle.twitchBroadcasterId),
    })),
  );
  settled.forEach((result, index) => {
    const { message, raffle } = toDraw[index] as (typeof toDraw)[number];
    if (result.status === "rejected") {
      app.log.error("draw message failed; will retry", { error: describeError(result.reason), raffleId: raffle.id });
      message.retry();
      return;
    }
    const outcome = result.value;
    if (outcome.kind === "drawn") drawIds.push(outcome.drawId);
    if (queueDisposition[outcome.kind] === "retry") message.retry();
    else message.ack();
  });
  publishDrawsToOverlays(app, { drawIds });
  // Announcing is the outbox's job: a failure here leaves the draws pending for the next tick.
  if (drawIds.length > 0) await announcePending(app, { drawIds, includeDue: false });
}
