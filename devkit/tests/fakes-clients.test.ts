import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fakesDirectory = resolve(dirname(fileURLToPath(import.meta.url)), "../fakes");

/** Every module a file reaches through relative imports, and every bare import it makes. */
function collectImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (file === undefined || files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
      const specifier = match[1] ?? "";
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), `${specifier}.ts`));
      else packages.add(specifier);
    }
  }
  return { files: [...files], packages: [...packages] };
}

describe("control clients", () => {
  it.each(["twitchControl.ts", "discordControl.ts"])(
    "%s imports nothing but zod, so it runs inside workerd",
    (entry) => {
      const { files, packages } = collectImports(resolve(fakesDirectory, entry));
      expect(files.length).toBeGreaterThan(1);
      expect(packages).toEqual(["zod"]);
    },
  );
});
