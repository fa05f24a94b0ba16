import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../../worker/index";
import { testEnvironment } from "../../support/worker/callWorker";

afterEach(() => {
  vi.restoreAllMocks();
});

async function runScheduled(scheduledTime: number, overrides = {}): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(scheduledTime), cron: "* * * * *" });
  const execution = createExecutionContext();
  await worker.scheduled(controller, { ...testEnvironment(), ...overrides }, execution);
  await waitOnExecutionContext(execution);
}

describe("scheduled()", () => {
  it("takes now from the controller's scheduledTime", async () => {
    const infoLog = vi.spyOn(console, "log").mockImplementation(() => {});
    const scheduledTime = Date.UTC(2030, 0, 1, 12, 34);
    await runScheduled(scheduledTime);
    const lines = infoLog.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
    expect(lines.some((line) => line.scheduledTime === scheduledTime)).toBe(true);
  });

  it("skips the tick with one clear log line when configuration is invalid", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    await runScheduled(Date.now(), { DATABASE_URL: "mysql://nope" });
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(String(errorLog.mock.calls[0]?.[0])).toContain("DATABASE_URL");
    expect(String(errorLog.mock.calls[0]?.[0])).not.toContain("mysql://nope");
  });
});
