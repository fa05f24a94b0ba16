import type * as z from "zod/mini";
import type { AppContext } from "../context";
import type { WorkerBindings } from "../env";
import { buildContentSecurityPolicy } from "../http/contentSecurityPolicy";
import { respondNotFound } from "../http/respondNotFound";
import { AdminError, type AdminIssue } from "./AdminError";
import { type AdminOperation, adminOperations } from "./adminApi";
import { adminHandlers } from "./adminHandlers";
import { authorizeAdmin } from "./authorizeAdmin";

/** Served from Workers Static Assets (build/assets/admin), after the token check. */
const assetPaths = new Set(["/admin/openapi.json", "/admin/docs", "/admin/docs.js"]);

/** A validated request, as handlers receive it. */
export interface AdminInput {
  parameters: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

/**
 * /admin/*: 404 unless ADMIN_API_TOKEN is set, then the bearer token, then the operation whose
 * path and method match, its input validated by the schemas of adminApi.ts. Every answer is
 * JSON (the docs page aside) and every error has AdminError's shape. Each action is logged with
 * the request's id (in the logger's context), never with the token.
 */
export async function handleAdmin(request: Request, app: AppContext, bindings: WorkerBindings): Promise<Response> {
  const token = app.config.adminApiToken;
  if (token === undefined) return respondNotFound(request);
  const path = new URL(request.url).pathname;
  try {
    await authorizeAdmin(app, request, token);
    if (assetPaths.has(path) && request.method === "GET") return await serveAsset(request, bindings);
    const match = matchOperation(request.method, path);
    const input = await parseInput(match.operation, match.parameters, request);
    const result = await adminHandlers[match.operation.id](app, input as never);
    app.log.info("admin action", { operation: match.operation.id, status: 200 });
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    app.log.info("admin action refused", { path, method: request.method, status: error.status, code: error.code });
    return error.toResponse();
  }
}

function matchOperation(
  method: string,
  path: string,
): { operation: AdminOperation & { id: keyof typeof adminHandlers }; parameters: Record<string, string> } {
  const segments = path.replace(/\/+$/, "").split("/").map(decodePathSegment);
  let pathMatched = false;
  for (const operation of adminOperations) {
    const template = operation.path.split("/");
    if (template.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const segment = segments[index] ?? "";
      if (!part.startsWith("{")) return part === segment;
      parameters[part.slice(1, -1)] = segment;
      return segment !== "";
    });
    if (!matches) continue;
    pathMatched = true;
    if (operation.method === method) return { operation, parameters };
  }
  if (pathMatched) throw new AdminError(405, "method_not_allowed", `${method} is not allowed here.`);
  throw new AdminError(404, "not_found", "No such admin endpoint; see /admin/openapi.json.");
}

/** A segment as its percent-escapes spell it; a malformed escape (`%E0`, `%zz`) is the client's mistake. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AdminError(400, "invalid_request", "The path is not valid.", [
      { path: "path", message: "malformed percent-encoding" },
    ]);
  }
}

async function parseInput(
  operation: AdminOperation,
  parameters: Record<string, string>,
  request: Request,
): Promise<AdminInput> {
  const issues: AdminIssue[] = [];
  const url = new URL(request.url);
  const read = (schema: z.ZodMiniObject | undefined, value: unknown, where: string) => {
    if (!schema) return {};
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as Record<string, unknown>;
    for (const issue of parsed.error.issues) {
      issues.push({ path: [where, ...issue.path].join("."), message: describeIssue(issue) });
    }
    return {};
  };
  let body: unknown = {};
  if (operation.body) {
    try {
      body = JSON.parse(await request.text());
    } catch {
      throw new AdminError(400, "invalid_request", "The body must be JSON.", [{ path: "body", message: "not JSON" }]);
    }
  }
  const input = {
    parameters: read(operation.parameters, parameters, "path"),
    query: read(operation.query, Object.fromEntries(url.searchParams), "query"),
    body: read(operation.body, body, "body"),
  };
  if (issues.length > 0) throw new AdminError(400, "invalid_request", "The request is not valid.", issues);
  return input;
}

/** zod/mini ships no message locale: name what was expected where a check gave no message. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message !== "Invalid input") return issue.message;
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_value") return `must be one of: ${issue.values.join(", ")}`;
  return issue.code.replaceAll("_", " ");
}

async function serveAsset(request: Request, bindings: WorkerBindings): Promise<Response> {
  if (!bindings.ASSETS) throw new AdminError(404, "not_found", "The docs are not built; run npm run build:assets.");
  const response = await bindings.ASSETS.fetch(request);
  if (!response.ok) throw new AdminError(404, "not_found", "The docs are not built; run npm run build:assets.");
  const served = new Response(response.body, response);
  served.headers.set("cache-control", "no-store");
  served.headers.set(
    "content-security-policy",
    buildContentSecurityPolicy({ defaultSource: "'self'", style: "'self' 'unsafe-inline'" }),
  );
  return served;
}
