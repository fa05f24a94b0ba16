import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { englishMessages } from "../../../worker/i18n/en-US";
import { portugueseMessages } from "../../../worker/i18n/pt-BR";

const workerDirectory = join(import.meta.dirname, "..", "..", "..", "worker");
const catalogFiles = new Set(["i18n/en-US.ts", "i18n/pt-BR.ts"]);

function readWorkerSources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return readWorkerSources(path);
    if (!entry.name.endsWith(".ts") || catalogFiles.has(relative(workerDirectory, path))) return [];
    return [readFileSync(path, "utf8")];
  });
}

// knip finds unused exports, not unused keys of an object: a message nothing says any more is
// found here. The Worker names every key as a string literal (translate(locale, "key"), or a
// table of keys), so a key that appears nowhere in worker/ outside the catalogues is dead.
describe("message catalogues", () => {
  const sources = readWorkerSources(workerDirectory).join("\n");

  // `command.*` texts are read by the command's key (i18n/commandTexts.ts); commands-definitions
  // holds each to a command or option that exists.
  it("every en-US message is used somewhere in the Worker", () => {
    const messages = Object.keys(englishMessages).filter((key) => !key.startsWith("command."));
    const unused = messages.filter(
      (key) => !sources.includes(`"${key}"`) && !sources.includes(`'${key}'`) && !sources.includes(`\`${key}\``),
    );
    expect(unused).toEqual([]);
  });

  it("pt-BR has exactly the en-US keys", () => {
    expect(Object.keys(portugueseMessages).sort()).toEqual(Object.keys(englishMessages).sort());
  });
});
