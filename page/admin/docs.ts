/**
 * The operator API's docs page (/admin/docs): renders /admin/openapi.json, fetched from the same
 * origin with the same credentials, as a list of operations. No third-party code or CDN.
 */

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Record<string, unknown>;
}

interface Operation {
  summary?: string;
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: {
    content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }>;
  };
  responses?: Record<string, { description?: string }>;
}

type ApiDocument = { info?: { title?: string; version?: string }; paths?: Record<string, Record<string, Operation>> };

function element(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function describeSchema(schema: Record<string, unknown> | undefined): string {
  if (!schema) return "";
  const enumValues = schema.enum;
  if (Array.isArray(enumValues)) return enumValues.join(" | ");
  const parts = [String(schema.type ?? "")];
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? ""}–${schema.maximum ?? ""}`);
  if (schema.default !== undefined) parts.push(`default ${String(schema.default)}`);
  return parts.filter(Boolean).join(", ");
}

function renderTable(headings: string[], rows: string[][]): HTMLElement {
  const table = element("table");
  const head = element("tr");
  for (const heading of headings) head.append(element("th", heading));
  table.append(head);
  for (const row of rows) {
    const line = element("tr");
    for (const cell of row) line.append(element("td", cell));
    table.append(line);
  }
  return table;
}

function renderOperation(method: string, path: string, operation: Operation): HTMLElement {
  const section = element("section", undefined, "operation");
  section.id = operation.operationId ?? `${method}-${path}`;
  const title = element("h2");
  title.append(
    element("span", method.toUpperCase(), `method ${method.toUpperCase()}`),
    document.createTextNode(` ${path}`),
  );
  section.append(title, element("p", operation.summary ?? ""));
  const parameters = (operation.parameters ?? []).map((parameter) => [
    parameter.name,
    parameter.in,
    parameter.required ? "required" : "optional",
    describeSchema(parameter.schema),
  ]);
  const body = operation.requestBody?.content?.["application/json"]?.schema;
  for (const [name, schema] of Object.entries(body?.properties ?? {})) {
    parameters.push([
      name,
      "body",
      body?.required?.includes(name) ? "required" : "optional",
      describeSchema(schema as Record<string, unknown>),
    ]);
  }
  if (parameters.length > 0) section.append(renderTable(["parameter", "in", "", "schema"], parameters));
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => [
    status,
    response.description ?? "",
  ]);
  section.append(renderTable(["status", "response"], responses));
  return section;
}

async function renderDocs(): Promise<void> {
  const container = document.getElementById("operations");
  if (!container) return;
  try {
    const response = await fetch("openapi.json", { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`openapi.json answered ${response.status}`);
    const description = (await response.json()) as ApiDocument;
    container.replaceChildren();
    for (const [path, methods] of Object.entries(description.paths ?? {})) {
      for (const [method, operation] of Object.entries(methods))
        container.append(renderOperation(method, path, operation));
    }
  } catch (error) {
    container.replaceChildren(element("p", `Could not load the API description: ${String(error)}`, "error"));
  }
}

void renderDocs();
