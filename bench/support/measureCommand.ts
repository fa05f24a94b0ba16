import type { DiscordState } from "../../devkit/fakes/discord/DiscordState";
import type { RoundTripCounter } from "./RoundTripCounter";
import {
  type InteractionAnswer,
  registerInteraction,
  sendSignedInteraction,
  type UnsignedInteraction,
} from "./signedInteractions";
import type { BenchStack } from "./startBenchStack";

/** One interaction the benchmark times, and what a right answer looks like. */
export interface CommandCase {
  label: string;
  /** The interaction for sample `index` sent by lane `lane` (0 … concurrency − 1). */
  build(lane: number, index: number): UnsignedInteraction;
  /** The answer's `type`: 1 pong, 4 message, 5 deferred, 8 autocomplete choices. */
  responseType: number;
  /** A problem with the answer (or, when deferred, with the edit), in words; undefined when right. */
  check(answer: unknown): string | undefined;
  /** Deferred commands only: the edit of the "thinking…" message the Worker sends afterwards. */
  checkEdit?(edit: unknown): string | undefined;
}

export interface Sample {
  /** The HTTP answer to the signed interaction (for a deferred command: the defer). */
  answerMilliseconds: number;
  /** Deferred commands: from sending the interaction to the edit reaching the Discord fake. */
  editMilliseconds: number | undefined;
}

/** What a batch cost outside the Worker, in total (divide by the batch's size). */
export interface BatchCounts {
  /** Over the Neon WebSocket (Query and Sync messages on the wire). */
  roundTripsWebSocket: number;
  /** Over Neon's HTTP path (requests the local endpoint forwarded). */
  roundTripsHttp: number;
  webSockets: number;
  upstashRequests: number;
  twitchCalls: number;
  discordCalls: number;
}

export interface BatchResult {
  samples: Sample[];
  counts: BatchCounts;
}

export interface MeasureContext {
  stack: BenchStack;
  workerUrl: string;
  roundTrips: { webSocket: RoundTripCounter; http: RoundTripCounter };
}

interface CountMark {
  roundTripsWebSocket: number;
  roundTripsHttp: number;
  webSockets: number;
  upstashRequests: number;
  twitchSequence: number;
  discordSequence: number;
}

const editPollMilliseconds = 10;
const editTimeoutMilliseconds = 10_000;

/**
 * Sends `samples` interactions of one case with `concurrency` in flight (each lane sends its next
 * one when its previous answer, and for a deferred command its edit, is in) and counts what they
 * cost from outside, settled before and after.
 */
export async function measureBatch(
  context: MeasureContext,
  commandCase: CommandCase,
  options: { concurrency: number; samples: number },
): Promise<BatchResult> {
  const before = await markCounts(context);
  const samples = await runLanes(context, commandCase, options);
  const counts = await countSince(context, before);
  return { samples, counts };
}

/** Sends without counting: warm-up (compiles code paths, opens the isolate's caches). */
export async function warmUp(
  context: MeasureContext,
  commandCase: CommandCase,
  options: { concurrency: number; samples: number },
): Promise<void> {
  await runLanes(context, commandCase, options);
}

async function runLanes(
  context: MeasureContext,
  commandCase: CommandCase,
  options: { concurrency: number; samples: number },
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, lane) => {
      for (let index = next++; index < options.samples; index = next++) {
        samples.push(await sendOne(context, commandCase, lane, index));
      }
    }),
  );
  return samples;
}

/** Sends one interaction and checks its answer (and edit) as Discord would receive them. */
export async function sendOne(
  context: MeasureContext,
  commandCase: CommandCase,
  lane: number,
  index: number,
): Promise<Sample> {
  const interaction = commandCase.build(lane, index);
  registerInteraction(context.stack.discordState, interaction);
  const answer = await sendSignedInteraction(context.workerUrl, interaction.body);
  checkAnswer(commandCase, answer);
  if (commandCase.checkEdit === undefined)
    return { answerMilliseconds: answer.milliseconds, editMilliseconds: undefined };
  const edit = await waitForEdit(context.stack.discordState, interaction.token);
  const problem = commandCase.checkEdit(edit.body);
  if (problem !== undefined)
    throw new Error(`${commandCase.label}: unexpected edit (${problem}): ${JSON.stringify(edit.body)}`);
  return { answerMilliseconds: answer.milliseconds, editMilliseconds: Date.parse(edit.at) - answer.sentAt };
}

function checkAnswer(commandCase: CommandCase, answer: InteractionAnswer): void {
  if (answer.status !== 200) throw new Error(`${commandCase.label}: HTTP ${answer.status}: ${answer.text}`);
  const body: unknown = JSON.parse(answer.text);
  const type = (body as { type?: unknown }).type;
  if (type !== commandCase.responseType) {
    throw new Error(
      `${commandCase.label}: answer type ${String(type)}, expected ${commandCase.responseType}: ${answer.text}`,
    );
  }
  const problem = commandCase.check(body);
  if (problem !== undefined) throw new Error(`${commandCase.label}: unexpected answer (${problem}): ${answer.text}`);
}

/** The fake runs in this process: its interaction record is read directly, without HTTP. */
async function waitForEdit(state: DiscordState, token: string): Promise<{ body: unknown; at: string }> {
  const deadline = performance.now() + editTimeoutMilliseconds;
  for (;;) {
    const edit = state.interactions.get(token)?.events.find((event) => event.kind === "editOriginal");
    if (edit !== undefined) return edit;
    if (performance.now() > deadline) throw new Error(`no deferred edit within ${editTimeoutMilliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, editPollMilliseconds));
  }
}

/** Reads every counter once the Worker's work so far is counted (the round-trip counter settles first). */
export async function markCounts(context: MeasureContext): Promise<CountMark> {
  const roundTripsWebSocket = await context.roundTrips.webSocket.readRoundTrips();
  const roundTripsHttp = await context.roundTrips.http.readRoundTrips();
  const [twitchSequence, discordSequence] = await Promise.all([
    context.stack.twitch.readLastSequence(),
    context.stack.discord.readLastSequence(),
  ]);
  return {
    roundTripsWebSocket,
    roundTripsHttp,
    webSockets: context.stack.neonProxy.readCounts().upgrades,
    upstashRequests: context.stack.upstashProxy.readCounts().requests,
    twitchSequence,
    discordSequence,
  };
}

export async function countSince(context: MeasureContext, before: CountMark): Promise<BatchCounts> {
  const after = await markCounts(context);
  const [twitchCalls, discordCalls] = await Promise.all([
    context.stack.twitch.listCalls({ since: before.twitchSequence }),
    context.stack.discord.listCalls({ since: before.discordSequence }),
  ]);
  return {
    roundTripsWebSocket: after.roundTripsWebSocket - before.roundTripsWebSocket,
    roundTripsHttp: after.roundTripsHttp - before.roundTripsHttp,
    webSockets: after.webSockets - before.webSockets,
    upstashRequests: after.upstashRequests - before.upstashRequests,
    twitchCalls: twitchCalls.filter((call) => call.sequence <= after.twitchSequence).length,
    discordCalls: discordCalls.filter((call) => call.sequence <= after.discordSequence).length,
  };
}

export function addCounts(left: BatchCounts, right: BatchCounts): BatchCounts {
  return {
    roundTripsWebSocket: left.roundTripsWebSocket + right.roundTripsWebSocket,
    roundTripsHttp: left.roundTripsHttp + right.roundTripsHttp,
    webSockets: left.webSockets + right.webSockets,
    upstashRequests: left.upstashRequests + right.upstashRequests,
    twitchCalls: left.twitchCalls + right.twitchCalls,
    discordCalls: left.discordCalls + right.discordCalls,
  };
}

export const noCounts: BatchCounts = {
  roundTripsWebSocket: 0,
  roundTripsHttp: 0,
  webSockets: 0,
  upstashRequests: 0,
  twitchCalls: 0,
  discordCalls: 0,
};

/**
 * /raffle start then /raffle stop, in rounds: every lane starts a raffle in its own guild, then,
 * once all have answered, every lane stops it, so the guild is ready for the next round. Each
 * half is timed and counted on its own (settled between halves).
 */
export async function measureStartStop(
  context: MeasureContext,
  cases: { start: CommandCase; stop: CommandCase },
  options: { concurrency: number; rounds: number; count: boolean },
): Promise<{ start: BatchResult; stop: BatchResult }> {
  const start: BatchResult = { samples: [], counts: noCounts };
  const stop: BatchResult = { samples: [], counts: noCounts };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [commandCase, result] of [
      [cases.start, start],
      [cases.stop, stop],
    ] as const) {
      const before = options.count ? await markCounts(context) : undefined;
      const samples = await Promise.all(
        Array.from({ length: options.concurrency }, (_, lane) => sendOne(context, commandCase, lane, round)),
      );
      result.samples.push(...samples);
      if (before !== undefined) result.counts = addCounts(result.counts, await countSince(context, before));
    }
  }
  return { start, stop };
}
