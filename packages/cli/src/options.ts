import { InvalidArgumentError } from "commander";

/**
 * Parsers for option values. A bad value raises commander's InvalidArgumentError, which the command reports as
 * one line "option '--x <v>' argument 'abc' is invalid. …" with exit status 2.
 */

export interface NumberRule {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  integer?: boolean;
  /** What the number is, shown in the error (e.g. "φ = parameters per data-output"). */
  what?: string;
}

function parseNum(s: string): number {
  const t = s.trim();
  // Number("") is 0 and Number("0x10") is 16: accept only decimal notation.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

function expected(rule: NumberRule): string {
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(`${rule.exclusiveMin ? ">" : "≥"} ${rule.min}`);
  if (rule.max !== undefined) bounds.push(`≤ ${rule.max}`);
  const kind = rule.integer ? "an integer" : "a finite number";
  return `expected ${kind}${bounds.length ? " " + bounds.join(" and ") : ""}${rule.what ? ` (${rule.what})` : ""}`;
}

/**
 * A check of one number against a rule; returns the error text or null.
 * @example
 * checkRule(-1, { min: 0 }); // "expected a finite number ≥ 0"
 */
export function checkRule(v: number, rule: NumberRule): string | null {
  // An integer beyond 2^53 − 1 is not represented exactly (1e20 + 1 reads as 1e20; a seed would be cut to 32 bits):
  // refused rather than silently changed.
  if (rule.integer && Number.isInteger(v) && !Number.isSafeInteger(v)) return `${expected(rule)}, at most 2^53 − 1 = ${Number.MAX_SAFE_INTEGER} in magnitude`;
  const bad =
    !Number.isFinite(v) ||
    (rule.integer && !Number.isInteger(v)) ||
    (rule.min !== undefined && (rule.exclusiveMin ? v <= rule.min : v < rule.min)) ||
    (rule.max !== undefined && v > rule.max);
  return bad ? expected(rule) : null;
}

/**
 * A parser for a number option.
 * @example
 * new Option("--tol <T>").argParser(num({ min: 0 }));
 */
export function num(rule: NumberRule = {}): (s: string) => number {
  return (s: string) => {
    const v = parseNum(s);
    const err = checkRule(v, rule);
    if (err) throw new InvalidArgumentError(`${err}; found '${s}'`);
    return v;
  };
}

/**
 * A parser for a comma-separated list of numbers ("1,3,1"), each following `rule`.
 * @example
 * numList({ integer: true, min: 1 }, 2)("1,3,1"); // [1, 3, 1]
 */
export function numList(rule: NumberRule = {}, minLength = 1): (s: string) => number[] {
  return (s: string) => {
    const parts = s.split(",").map((x) => x.trim());
    const vs = parts.map(parseNum);
    vs.forEach((v, i) => {
      const err = checkRule(v, rule);
      if (err) throw new InvalidArgumentError(`entry ${i + 1}: ${err}; found '${parts[i]}'`);
    });
    if (vs.length < minLength) throw new InvalidArgumentError(`expected at least ${minLength} comma-separated numbers; found ${vs.length}`);
    return vs;
  };
}

/**
 * A parser for one of a fixed set of words.
 * @example
 * oneOf("wigner", "relu")("relu"); // "relu"
 */
export function oneOf<T extends string>(...choices: T[]): (s: string) => T {
  return (s: string) => {
    if ((choices as string[]).includes(s)) return s as T;
    throw new InvalidArgumentError(`expected one of ${choices.join(", ")}; found '${s}'`);
  };
}

/**
 * Collect a repeated option into an array (`--model A --model B`).
 * @example
 * new Option("--model <M>").argParser(collect); // --model A --model B → ["A", "B"]
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
