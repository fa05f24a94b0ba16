import { mkdirSync, writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the closing line CI reads, `N passed, M failed`, and keeps the counts in
 * .cache/test-summary.json so .ci/run can add its own checks to them.
 */
export default class CountingReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else skipped += 1;
      }
      // A file that failed to load has no tests to count: count it as one failure.
      if (testModule.state() === "failed" && !hasTests(testModule)) failed += 1;
    }
    failed += unhandledErrors.length;
    mkdirSync(".cache", { recursive: true });
    writeFileSync(".cache/test-summary.json", JSON.stringify({ passed, failed, skipped }));
    console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  }
}

function hasTests(testModule: TestModule): boolean {
  for (const _ of testModule.children.allTests()) return true;
  return false;
}
