import { z } from "zod";

/** The fields of the Worker's `"tick finished"` log line (worker/raffle/runTick.ts) the benchmark reads. */
const tickSummarySchema = z.object({
  message: z.literal("tick finished"),
  scheduledTime: z.number(),
  dueRaffles: z.number(),
  liveRaffles: z.number(),
  fannedOut: z.number(),
  drawn: z.number(),
  /** Slots drawn with nobody eligible (after the gates, cooldowns and exclusions). */
  noEligible: z.number().default(0),
  /** Slots skipped because a gate could not be checked. */
  gateUnavailable: z.number().default(0),
  failed: z.number(),
  announced: z.number(),
  announcementRetries: z.number(),
  linksValidated: z.number(),
  linkValidationFailures: z.number(),
  databaseQueries: z.number(),
});
export type TickSummary = z.infer<typeof tickSummarySchema>;

const levelSchema = z.object({ level: z.enum(["info", "warn", "error"]), message: z.string() });

const summaryWaitMilliseconds = 10_000;

/**
 * Reads the Worker's log lines as they arrive: keeps each tick's summary, and every warning or
 * error, which the benchmark reports (a slot that failed would make the numbers look cheaper).
 */
export class TickLog {
  private readonly summaries = new Map<number, TickSummary>();
  private problems: string[] = [];

  receiveLine = (line: string): void => {
    const parsed = parseJson(line);
    const summary = tickSummarySchema.safeParse(parsed);
    if (summary.success) {
      this.summaries.set(summary.data.scheduledTime, summary.data);
      return;
    }
    const level = levelSchema.safeParse(parsed);
    if (!level.success) {
      // Not one of the Worker's JSON lines: the runtime's own output; keep it only if it sounds bad.
      if (/error|exception|uncaught/i.test(line)) this.problems.push(line);
      return;
    }
    if (level.data.level !== "info") this.problems.push(line);
  };

  /** The summary of the tick for `scheduledTime`; log lines can trail the handler's return a little. */
  async waitForSummary(scheduledTime: number): Promise<TickSummary> {
    const deadline = Date.now() + summaryWaitMilliseconds;
    while (Date.now() < deadline) {
      const summary = this.summaries.get(scheduledTime);
      if (summary) return summary;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the Worker logged no "tick finished" line for ${new Date(scheduledTime).toISOString()}`);
  }

  /** Warnings and errors since the last call. */
  takeProblems(): string[] {
    const taken = this.problems;
    this.problems = [];
    return taken;
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
