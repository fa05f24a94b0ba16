/**
 * Builds the public pages' static assets into build/assets (wrangler.toml `[assets]`): the raffle
 * page's Verify script (page/verify.ts with @noble/curves) as `/assets/raffle-verify.js`, the
 * on-stream overlay's player (page/overlay.ts) as `/assets/overlay.js`, and docs/fairness.md as the
 * HTML page `/docs/fairness` the raffle page links to. They are Workers Static Assets, not part of
 * the Worker bundle, whose size budget they would break.
 *
 * Run by `npm run build:assets` (and so by `npm run deploy`), by vitest.config.ts before the
 * Worker tests read wrangler.toml, and by the dev stack before `wrangler dev` starts.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// esbuild comes with wrangler (as in scripts/dev/buildPlaygroundScript.ts).
import { buildSync } from "esbuild";
import { buildAdminOpenApi } from "./buildAdminOpenApi.ts";
import { isRunAsScript } from "./isRunAsScript.ts";
import { renderMarkdownPage } from "./renderMarkdownPage.ts";

const repositoryDirectory = join(dirname(fileURLToPath(import.meta.url)), "..");

/** wrangler.toml's `assets.directory`. */
export const pageAssetsDirectory = join(repositoryDirectory, "build", "assets");

/**
 * Bundles the assets (synchronously, so a config file can call it at load) and returns the files
 * written. Deterministic: the same sources give the same bytes.
 */
export function buildPageAssets(outputDirectory = pageAssetsDirectory): string[] {
  const scripts = [
    { entry: "verify.ts", output: "raffle-verify.js" },
    // The on-stream overlay's player (worker/http/overlay/renderOverlayPage.ts loads it).
    { entry: "overlay.ts", output: "overlay.js" },
  ].map(({ entry, output }) => {
    const outfile = join(outputDirectory, "assets", output);
    mkdirSync(dirname(outfile), { recursive: true });
    buildSync({
      entryPoints: [join(repositoryDirectory, "page", entry)],
      outfile,
      bundle: true,
      minify: true,
      format: "iife",
      target: "es2022",
      platform: "browser",
      legalComments: "linked",
      logLevel: "warning",
    });
    return outfile;
  });
  return [
    ...scripts,
    buildFairnessDocPage(outputDirectory),
    ...buildAdminOpenApi(outputDirectory, join(repositoryDirectory, "page")),
  ];
}

/**
 * docs/fairness.md as `docs/fairness.html`, which Workers Static Assets serve at `/docs/fairness`
 * (`fairnessDocPath` in worker/http/raffle/renderRafflePage.ts, the raffle page's link).
 */
export function buildFairnessDocPage(outputDirectory = pageAssetsDirectory): string {
  const outfile = join(outputDirectory, "docs", "fairness.html");
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, renderMarkdownPage(readFileSync(join(repositoryDirectory, "docs", "fairness.md"), "utf8")));
  return outfile;
}

if (isRunAsScript(import.meta.url)) {
  for (const file of buildPageAssets()) console.log(`built ${file}`);
}
