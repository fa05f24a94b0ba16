import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listCommandDefinitions } from "../../../worker/discord/commands/registry";
import { configSchema } from "../../../worker/env";

/**
 * docs/ describes the code: docs/contract.md's configuration table is exactly what worker/env.ts
 * validates, its commands table exactly what `npm run register` sends Discord (read the way
 * scripts/register.ts reads it), and every file the docs name exists.
 */

const repositoryDirectory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A citation of a file outside the repository: the product contract or the platform notes it was built from. */
const outsideCitation = new RegExp(["SPEC\\.md", "platform-" + "facts", "shared/" + "reference"].join("|"));
const contract = readFileSync(join(repositoryDirectory, "docs", "contract.md"), "utf8");

/** The text of a `## heading` section, up to the next one. */
function readSection(document: string, heading: string): string {
  const start = document.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/contract.md has no "## ${heading}" section`);
  const end = document.indexOf("\n## ", start + heading.length + 4);
  return document.slice(start, end < 0 ? undefined : end);
}

/** The rows of the first markdown table in `text` whose header starts with `| first |`. */
function readTableRows(text: string, first: string): string[] {
  const lines = text.split("\n");
  const header = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  if (header < 0) throw new Error(`no table starting with "| ${first} |"`);
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows;
}

/** `1–1,000,000` as the doc writes a range: en-US, four-digit numbers ungrouped (as the commands word them). */
function formatRange(minimum: number, maximum: number): string {
  const format = new Intl.NumberFormat("en-US", { useGrouping: "min2" });
  return `${format.format(minimum)}–${format.format(maximum)}`;
}

interface RegisteredOption {
  name: string;
  type: number;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: RegisteredOption[];
}

describe("docs/contract.md", () => {
  it("lists exactly the configuration names worker/env.ts validates", () => {
    const rows = readTableRows(readSection(contract, "Configuration"), "name");
    const documented = rows.map((row) => /^\| `([A-Z0-9_]+)` \|/.exec(row)?.[1]);
    expect(documented).not.toContain(undefined);
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("lists exactly the registered commands and subcommands, each with its options and ranges", () => {
    const rows = readTableRows(readSection(contract, "Slash commands"), "command");
    const documented = new Map(
      rows.map((row) => [/^\| `(\/[a-z_]+(?: [a-z_]+)?)` \|/.exec(row)?.[1] ?? row, row.split(" | ")[1] ?? ""]),
    );
    const registered: string[] = [];
    for (const command of listCommandDefinitions()) {
      const options = (command.options ?? []) as RegisteredOption[];
      // A command with subcommands (option type 1) is a row per subcommand; one without (/overlay), one row.
      const rowsOf = options.some((option) => option.type === 1)
        ? options.map((subcommand) => ({ name: `/${command.name} ${subcommand.name}`, subcommand }))
        : [{ name: `/${command.name}`, subcommand: { name: command.name, type: 1, options } }];
      for (const { name, subcommand } of rowsOf) {
        registered.push(name);
        const options = documented.get(name);
        expect(options, `${name} is not in the commands table`).toBeDefined();
        for (const option of subcommand.options ?? []) {
          expect(options, `${name}: option ${option.name}`).toContain(`\`${option.name}\``);
          const minimum = option.min_value ?? option.min_length;
          const maximum = option.max_value ?? option.max_length;
          if (minimum !== undefined && maximum !== undefined) {
            expect(options, `${name}: the range of ${option.name}`).toContain(formatRange(minimum, maximum));
          }
        }
        if ((subcommand.options ?? []).length === 0) expect(options, `${name} takes no option`).toBe("—");
      }
    }
    expect([...documented.keys()].sort()).toEqual(registered.sort());
  });

  it("marks what SPEC names but the code does not have yet as planned, outside the tables", () => {
    for (const section of ["HTTP routes", "Configuration", "Slash commands"]) {
      expect(readSection(contract, section)).toMatch(/\*\*Planned\*\* \(not [a-z]+ yet\)/);
    }
    const commandRows = readTableRows(readSection(contract, "Slash commands"), "command").join("\n");
    expect(commandRows).not.toMatch(/\/kick/);
    const configRows = readTableRows(readSection(contract, "Configuration"), "name").join("\n");
    expect(configRows).not.toContain("KICK_");
  });
});

describe("docs/", () => {
  const documents = readdirSync(join(repositoryDirectory, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => ({ file, text: readFileSync(join(repositoryDirectory, "docs", file), "utf8") }));

  it("has an index that links every page", () => {
    const index = documents.find((document) => document.file === "README.md")?.text ?? "";
    for (const { file } of documents) if (file !== "README.md") expect(index).toContain(`](${file})`);
  });

  it("names only files that exist in the repository, and cites nothing outside it", () => {
    for (const { file, text } of documents) {
      const paths = [
        ...text.matchAll(/`((?:worker|scripts|devkit|test|sql|bench|page|docs)\/[^`\s]+|wrangler\.toml)`/g),
      ];
      for (const [, path = ""] of paths) {
        expect(existsSync(join(repositoryDirectory, path)), `${file} names ${path}`).toBe(true);
      }
      for (const [, target = ""] of text.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
        if (!/^https?:\/\//.test(target)) {
          expect(existsSync(join(repositoryDirectory, "docs", target)), `${file} links ${target}`).toBe(true);
        }
      }
      expect(text, file).not.toMatch(outsideCitation);
    }
  });

  /** Every file of the repository's own text (no dependencies, builds or generated types). */
  function listRepositoryFiles(directory = repositoryDirectory): string[] {
    const skipped = new Set(["node_modules", ".git", ".cache", ".wrangler", ".local", "build", "runtime.d.ts"]);
    return readdirSync(directory).flatMap((name) => {
      if (skipped.has(name)) return [];
      const path = join(directory, name);
      return statSync(path).isDirectory() ? listRepositoryFiles(path) : [path];
    });
  }

  // The product contract and the platform notes the team worked from are not in the repository:
  // whoever carries the code on cites docs/ (or the vendor's own page). sql/migrations are applied
  // once and never edited, so the citations already in them stay.
  it("leaves no file citing anything outside the repository", () => {
    const citing = listRepositoryFiles()
      .filter((path) => /\.(ts|mjs|js|sql|md|toml|json|example)$/.test(path))
      .filter((path) => !path.startsWith(join(repositoryDirectory, "sql", "migrations")))
      .filter((path) => outsideCitation.test(readFileSync(path, "utf8")))
      .map((path) => path.slice(repositoryDirectory.length + 1));
    expect(citing).toEqual([]);
  });
});
