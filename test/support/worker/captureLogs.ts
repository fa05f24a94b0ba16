import { vi } from "vitest";

/**
 * Everything the Worker logs from now on (every console level), one string per call, into `lines`:
 * objects as JSON, so a test can look for a token or a code in any field.
 */
export function captureLogs(lines: string[] = []): string[] {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...parts: unknown[]) => {
      lines.push(parts.map((part) => (typeof part === "string" ? part : stringify(part))).join(" "));
    });
  }
  return lines;
}

function stringify(part: unknown): string {
  if (part instanceof Error) return String(part);
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}
