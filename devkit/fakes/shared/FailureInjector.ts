import { type FailureRule, type FailureRuleInput, failureRuleInputSchema } from "./controlSchemas";
import { matchesPathPattern } from "./matchesPathPattern";

/** Injected failures and latency, shared by every fake. */
export class FailureInjector {
  private rules: FailureRule[] = [];
  private nextRuleNumber = 1;
  latencyMilliseconds = 0;

  addRule(input: FailureRuleInput): FailureRule {
    const parsed = failureRuleInputSchema.parse(input);
    const rule: FailureRule = {
      ...parsed,
      method: parsed.method?.toUpperCase(),
      id: `failure-${this.nextRuleNumber}`,
      remaining: parsed.times,
    };
    this.nextRuleNumber += 1;
    this.rules.push(rule);
    return rule;
  }

  listRules(): FailureRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  removeRule(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  /** Finds the first rule with calls left that matches, and uses up one of its calls. */
  takeMatchingRule(method: string, path: string, searchableText: string): FailureRule | undefined {
    const rule = this.rules.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.method === undefined || candidate.method === method) &&
        matchesPathPattern(path, candidate.path) &&
        (candidate.contains === undefined || searchableText.includes(candidate.contains)),
    );
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((candidate) => candidate !== rule);
    return { ...rule };
  }

  clear(): void {
    this.rules = [];
    this.latencyMilliseconds = 0;
  }
}
