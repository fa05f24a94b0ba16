/**
 * The Worker's import boundaries, checked in CI (`npm run check:imports`, run by .ci/run).
 *
 * Layers, lowest first:
 * - `lib/` (generic helpers), `domain/` (shapes shared by the layers) and the systems' adapters
 *   `db/`, `cache/`, `twitch/`, `fairness/`, `security/`, `i18n/` import nothing from the domain
 *   or the edges: `raffle/`, `discord/`, `http/`, `admin/`;
 * - `raffle/` is the domain: it uses the adapters (Discord's REST client and message shapes
 *   included), never the commands, pages or operator API that call it;
 * - `discord/commands/`, `http/`, `admin/` are the edges; `router.ts` and `index.ts` wire them.
 * An adapter for one vendor never calls another vendor (Twitch code does not post to Discord):
 * it reports, and the domain decides. No cycles anywhere in the Worker.
 */
const adapters = "^worker/(lib|domain|db|cache|twitch|fairness|security|i18n)/";
const domainAndEdges = "^worker/(raffle|discord|http|admin)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "adapters-stay-below-the-domain",
      comment:
        "db/, cache/, twitch/, fairness/, security/ and i18n/ import nothing from raffle/, discord/, http/ or admin/: move the shared shape to domain/ or the query to db/.",
      severity: "error",
      from: { path: adapters },
      to: { path: domainAndEdges },
    },
    {
      name: "domain-never-imports-the-edges",
      comment:
        "raffle/ is called by the commands, the pages and the operator API, never the other way round: move what both need below it.",
      severity: "error",
      from: { path: "^worker/raffle/" },
      to: { path: "^worker/(discord/commands|discord/handleInteraction|http|admin)/?" },
    },
    {
      name: "one-vendor-never-calls-another",
      comment: "Twitch code does not post to Discord, nor Discord code call Twitch: the domain decides.",
      severity: "error",
      from: { path: "^worker/twitch/" },
      to: { path: "^worker/discord/" },
    },
    {
      name: "no-cycles",
      comment: "A cycle hides which module owns a rule.",
      severity: "error",
      from: { path: "^worker/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "worker-imports-no-node-side",
      comment: "The Worker bundle never reaches scripts/, devkit/, test/ or page/.",
      severity: "error",
      from: { path: "^worker/" },
      to: { path: "^(scripts|devkit|test|page|playground|bench)/" },
    },
    {
      name: "no-unresolvable",
      comment: "An import that resolves to nothing (workerd's own cloudflare:* modules aside).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
