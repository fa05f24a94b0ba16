import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, describeError } from "../../../worker/log";

afterEach(() => {
  vi.restoreAllMocks();
});

function captureLines(level: "log" | "warn" | "error"): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, level).mockImplementation((text: unknown) => {
    lines.push(JSON.parse(String(text)) as Record<string, unknown>);
  });
  return lines;
}

describe("describeError (inside workerd)", () => {
  it("describes an ErrorEvent by its message, and its inner error's", () => {
    expect(describeError(new ErrorEvent("error", { message: "boom" }))).toBe("ErrorEvent: boom");
    expect(
      describeError(new ErrorEvent("error", { message: "WebSocket failed", error: new TypeError("socket hang up") })),
    ).toBe("ErrorEvent: WebSocket failed (TypeError: socket hang up)");
    expect(describeError(new ErrorEvent("error", { error: new Error("only inside") }))).toBe(
      "ErrorEvent: Error: only inside",
    );
    expect(describeError(new ErrorEvent("error", { message: "same", error: new Error("same") }))).toBe(
      "ErrorEvent: same",
    );
    expect(describeError(new ErrorEvent("error"))).toBe("ErrorEvent: error");
  });

  it("keeps describing Errors by name and message", () => {
    expect(describeError(new RangeError("too far"))).toBe("RangeError: too far");
    expect(describeError("plain text")).toBe("plain text");
    expect(describeError(42)).toBe("42");
  });

  it("never says [object Object]: a message field, else JSON with secret-looking fields hidden", () => {
    expect(describeError({ message: "driver gave up", code: "57P01" })).toBe("Object: driver gave up");
    expect(describeError({ name: "NeonDbError", message: "terminating connection" })).toBe(
      "NeonDbError: terminating connection",
    );
    const opaque = describeError({ status: 503, access_token: "abc123secret", nested: { refreshToken: "r-secret" } });
    expect(opaque).toBe('Object: {"status":503,"access_token":"***","nested":{"refreshToken":"***"}}');
    const circular: Record<string, unknown> = { kind: "loop" };
    circular.self = circular;
    expect(describeError(circular)).toBe("Object: (not serializable)");
    for (const value of [{}, [], new Map(), Object.create(null)]) {
      expect(describeError(value)).not.toContain("[object");
    }
  });

  it("masks credentials in whatever it describes", () => {
    const event = new ErrorEvent("error", { message: "connect to postgres://user:hunter2@db.example/neondb failed" });
    expect(describeError(event)).toBe("ErrorEvent: connect to postgres://***@db.example/neondb failed");
    expect(describeError({ message: "Authorization: Bearer tok_live_123 was refused" })).toBe(
      "Object: Authorization: Bearer *** was refused",
    );
  });

  it("clips a huge description", () => {
    expect(describeError(new Error("x".repeat(5000))).length).toBeLessThanOrEqual(1001);
  });
});

describe("log lines", () => {
  it("describe an ErrorEvent in `error` on warnings and errors alike", () => {
    const warnings = captureLines("warn");
    const errors = captureLines("error");
    const log = createLogger({ requestId: "r-1" });
    log.warn("could not reach the database", { error: new ErrorEvent("error", { message: "WebSocket closed" }) });
    log.error("request failed", { error: new ErrorEvent("error", { message: "boom" }), guildId: "1" });
    expect(warnings).toEqual([
      {
        level: "warn",
        message: "could not reach the database",
        requestId: "r-1",
        error: "ErrorEvent: WebSocket closed",
      },
    ]);
    expect(errors).toEqual([
      { level: "error", message: "request failed", requestId: "r-1", error: "ErrorEvent: boom", guildId: "1" },
    ]);
  });

  it("describe an Error passed under another name instead of printing {}", () => {
    const errors = captureLines("error");
    createLogger().error("cleanup failed", { cause: new TypeError("bad"), attempt: 2 });
    expect(errors).toEqual([{ level: "error", message: "cleanup failed", cause: "TypeError: bad", attempt: 2 }]);
  });

  it("leave out an undefined error", () => {
    const warnings = captureLines("warn");
    createLogger().warn("nothing thrown", { error: undefined, guildId: "1" });
    expect(warnings).toEqual([{ level: "warn", message: "nothing thrown", guildId: "1" }]);
  });
});
