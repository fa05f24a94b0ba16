/**
 * Builds the public pages' static assets into build/assets (wrangler.toml `[assets]`): the raffle
 * page's Verify script (page/verify.ts with @noble/curves) as `/assets/raffle-verify.js`. It is a
 * Workers Static Asset, not part of the Worker bundle, whose size budget it would break.
 *
 * Run by `npm run build:assets` (and so by `npm run deploy`), by vitest.config.ts before the
 * Worker tests read wrangler.toml, and by the dev stack before `wrangler dev` starts.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// esbuild comes with wrangler (as in scripts/dev/buildPlaygroundScript.ts).
import { buildSync } from "esbuild";
import { buildAdminOpenApi } from "./buildAdminOpenApi.ts";
import { isRunAsScript } from "./isRunAsScript.ts";

const repositoryDirectory = join(dirname(fileURLToPath(import.meta.url)), "..");

/** wrangler.toml's `assets.directory`. */
export const pageAssetsDirectory = join(repositoryDirectory, "build", "assets");

/**
 * Bundles the assets (synchronously, so a config file can call it at load) and returns the files
 * written. Deterministic: the same sources give the same bytes.
 */
export function buildPageAssets(outputDirectory = pageAssetsDirectory): string[] {
  const outfile = join(outputDirectory, "assets", "raffle-verify.js");
  mkdirSync(dirname(outfile), { recursive: true });
  buildSync({
    entryPoints: [join(repositoryDirectory, "page", "verify.ts")],
    outfile,
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    platform: "browser",
    legalComments: "linked",
    logLevel: "warning",
  });
  return [outfile, ...buildAdminOpenApi(outputDirectory, join(repositoryDirectory, "page"))];
}

if (isRunAsScript(import.meta.url)) {
  for (const file of buildPageAssets()) console.log(`built ${file}`);
}
