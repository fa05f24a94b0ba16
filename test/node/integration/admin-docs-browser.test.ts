import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { buildTestBindings } from "../../../devkit/localBindings";
import { findFreePort } from "../../../devkit/services/findFreePort";
import { buildAdminOpenApiDocument } from "../../../scripts/buildAdminOpenApi";
import { pageAssetsDirectory } from "../../../scripts/buildPageAssets";
import { repositoryRoot } from "../../../scripts/dev/startDevStack";
import { type RunningWrangler, startWrangler } from "../../../scripts/dev/startWrangler";
import { writeDevEnvFile } from "../../../scripts/dev/writeDevEnvFile";
import { adminOperations } from "../../../worker/admin/adminApi";
import { chromiumFlags, chromiumPath } from "../../support/chromium";

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`admin-docs-browser skipped: ${chromiumPath} is missing (apt-get install chromium).`);

const adminToken = `docs-test-token-${crypto.randomUUID()}`;

describe("openapi.json", () => {
  test("is OpenAPI 3.1, built from the schemas: every operation, every one with responses and an Error shape", () => {
    const built = JSON.parse(readFileSync(join(pageAssetsDirectory, "admin", "openapi.json"), "utf8"));
    expect(built).toEqual(JSON.parse(JSON.stringify(buildAdminOpenApiDocument())));
    expect(built.openapi).toBe("3.1.0");
    expect(built.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const documented = Object.entries(built.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(
          ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
        ),
    );
    expect(documented.sort()).toEqual(
      adminOperations.map((operation) => `${operation.method} ${operation.path} ${operation.id}`).sort(),
    );
    for (const methods of Object.values(built.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const operation of Object.values(methods)) {
        const responses = operation.responses as Record<string, { content?: Record<string, unknown> }>;
        expect(Object.keys(responses)).toEqual(expect.arrayContaining(["200", "400", "401"]));
        expect(JSON.stringify(responses["400"])).toContain("#/components/schemas/Error");
      }
    }
    // The limit's bounds reach the document from the very schema that validates it.
    const limit = built.paths["/admin/links"].get.parameters.find(
      (parameter: { name: string }) => parameter.name === "limit",
    );
    expect(limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 100, default: 25 });
  });
});

describe.skipIf(!hasChromium)("/admin/docs in headless Chromium", () => {
  let wrangler: RunningWrangler | undefined;
  let browser: Browser | undefined;
  let temporaryDirectory = "";

  beforeAll(async () => {
    temporaryDirectory = await mkdtemp(join(tmpdir(), "liveloot-admin-docs-"));
    const envFile = join(temporaryDirectory, "worker.env");
    // The docs need no database or fake: only valid configuration, the token and Redis (the failure counter).
    await writeDevEnvFile(envFile, {
      ...buildTestBindings({
        databaseUrl: inject("databaseUrl"),
        neonWebSocketProxy: inject("neonWebSocketProxy"),
        neonHttpEndpoint: inject("neonHttpEndpoint"),
        upstashUrl: inject("upstashUrl"),
        upstashToken: inject("upstashToken"),
        twitchFakeUrl: inject("twitchFakeUrl"),
        discordFakeUrl: inject("discordFakeUrl"),
        drandFake: inject("drandFake"),
      }),
      ADMIN_API_TOKEN: adminToken,
    });
    [wrangler, browser] = await Promise.all([
      startWrangler({
        directory: repositoryRoot,
        port: await findFreePort(),
        inspectorPort: await findFreePort(),
        envFile,
      }),
      chromium.launch({ executablePath: chromiumPath, args: chromiumFlags }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await wrangler?.stop();
    await rm(temporaryDirectory, { recursive: true, force: true });
  }, 60_000);

  async function openDocs(headers: Record<string, string>) {
    if (!browser || !wrangler) throw new Error("not started");
    const context = await browser.newContext();
    await context.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
    const page = await context.newPage();
    await page.setExtraHTTPHeaders(headers);
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    const response = await page.goto(`${wrangler.url}/admin/docs`);
    return { page, problems, requests, status: response?.status() };
  }

  test("renders every operation from openapi.json, with no console error and no third-party request", async () => {
    const { page, problems, requests, status } = await openDocs({ authorization: `Bearer ${adminToken}` });
    try {
      expect(status).toBe(200);
      await page.locator("section.operation").first().waitFor({ timeout: 20_000 });
      const titles = await page.locator("section.operation h2").allInnerTexts();
      expect(titles.map((title) => title.replace(/\s+/g, " ").trim())).toEqual(
        adminOperations.map((operation) => `${operation.method} ${operation.path}`),
      );
      await expect(page.locator("#listLinks").innerText()).resolves.toContain("limit");
      await expect(page.locator("#createSubscription").innerText()).resolves.toContain("stream.online");
      expect(problems).toEqual([]);
      const origin = new URL(wrangler?.url ?? "").origin;
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(requests).toContain(`${origin}/admin/openapi.json`);
    } finally {
      await page.context().close();
    }
  });

  test("is 401 without the token: the page is not public", async () => {
    const { page, status } = await openDocs({});
    try {
      expect(status).toBe(401);
    } finally {
      await page.context().close();
    }
  });
});
