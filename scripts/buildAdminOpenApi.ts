/**
 * Builds the operator API's description and docs page into build/assets/admin (Workers Static
 * Assets, served by the Worker only after the bearer token: wrangler.toml `run_worker_first`):
 * - `openapi.json`: OpenAPI 3.1, generated from the same zod schemas the Worker validates
 *   requests with (worker/admin/adminApi.ts) and the response schemas the tests hold the answers
 *   to (worker/admin/adminResponses.ts), with zod's own JSON Schema output;
 * - `docs.html` + `docs.js` (page/admin): a small renderer of it, no CDN.
 * Generating at build time keeps any OpenAPI framework out of the Worker's bundle.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import * as z from "zod/mini";
import { type AdminOperation, adminOperations } from "../worker/admin/adminApi.ts";
import { adminResponses, errorResponse } from "../worker/admin/adminResponses.ts";
import { isRunAsScript } from "./isRunAsScript.ts";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

function toSchema(schema: z.ZodMiniType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  });
  return rest as JsonSchema;
}

function describeParameters(schema: z.ZodMiniObject | undefined, location: "path" | "query") {
  if (!schema) return [];
  const json = toSchema(schema, "input");
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const errorReference = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function describeOperation(operation: AdminOperation) {
  return {
    operationId: operation.id,
    summary: operation.summary,
    parameters: [...describeParameters(operation.parameters, "path"), ...describeParameters(operation.query, "query")],
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: toSchema(operation.body, "input") } },
          },
        }
      : {}),
    responses: {
      "200": {
        description: "OK",
        content: { "application/json": { schema: toSchema(adminResponses[operation.id as never], "output") } },
      },
      "400": errorReference(
        "Invalid input or a malformed percent-escape in the path; `issues` name each path (query.limit, body.type, path.guild, path)",
      ),
      "401": errorReference("Missing or wrong bearer token"),
      "404": errorReference("Not found"),
      "409": errorReference("Conflicts with the current state (needs re-authorization, already exists)"),
      "429": errorReference("Too many failed authentications from this IP; see Retry-After"),
      "502": errorReference("Twitch refused or failed"),
    },
  };
}

/** The OpenAPI 3.1 document of /admin. */
export function buildAdminOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of adminOperations) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, unknown>)[operation.method.toLowerCase()] = describeOperation(operation);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "LiveLoot operator API",
      version: "1",
      description:
        "Links, EventSub subscriptions, raffles, draws, events and points, without a database shell. " +
        "Never returns a token or a secret.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "ADMIN_API_TOKEN" } },
      schemas: { Error: toSchema(errorResponse, "output") },
    },
  };
}

/** Writes openapi.json, docs.html and docs.js under `outputDirectory`/admin; returns the files. */
export function buildAdminOpenApi(outputDirectory: string, pageDirectory: string): string[] {
  const adminDirectory = join(outputDirectory, "admin");
  mkdirSync(adminDirectory, { recursive: true });
  const openApiFile = join(adminDirectory, "openapi.json");
  writeFileSync(openApiFile, `${JSON.stringify(buildAdminOpenApiDocument(), null, 2)}\n`);
  const htmlFile = join(adminDirectory, "docs.html");
  copyFileSync(join(pageDirectory, "admin", "docs.html"), htmlFile);
  const scriptFile = join(adminDirectory, "docs.js");
  buildSync({
    entryPoints: [join(pageDirectory, "admin", "docs.ts")],
    outfile: scriptFile,
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    platform: "browser",
    logLevel: "warning",
  });
  return [openApiFile, htmlFile, scriptFile];
}

if (isRunAsScript(import.meta.url)) {
  const { pageAssetsDirectory } = await import("./buildPageAssets.ts");
  for (const file of buildAdminOpenApi(pageAssetsDirectory, join(import.meta.dirname, "..", "page")))
    console.log(`built ${file}`);
}
