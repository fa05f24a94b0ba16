import { join } from "node:path";
// esbuild comes with wrangler; the playground needs nothing else to turn its TypeScript into one module.
import { build } from "esbuild";

/** Bundles `playground/main.ts` for the browser. Fast enough to run on every page load, so edits show at once. */
export async function buildPlaygroundScript(playgroundDirectory: string): Promise<string> {
  const result = await build({
    entryPoints: [join(playgroundDirectory, "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "browser",
    sourcemap: "inline",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output for playground/main.ts");
  return output.text;
}
