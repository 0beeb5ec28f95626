import type { Activation, Model } from "@losscape/mlp";
import { activationEntry, paramCount } from "@losscape/mlp";

/**
 * "1-3-1 tanh, M = 10"
 * @example
 * describeModel(model); // "1-3-1 tanh, M = 10"
 */
export function describeModel(model: Model): string {
  const act = Array.isArray(model.activation)
    ? model.activation.map(activationName).join("/")
    : activationName(model.activation as Model["activation"] & object);
  return `${model.widths.join("-")} ${act}${model.loss === "cross-entropy" ? ", cross-entropy" : ""}, M = ${paramCount(model)}`;
}

function activationName(a: unknown): string {
  if (typeof a === "string") return a;
  if (a && typeof a === "object" && "name" in a) {
    const name = (a as { name: string }).name;
    const param = activationEntry(a as Activation)?.param;
    return `${name}(${param ? ((a as Record<string, unknown>)[param.name] ?? "") : ""})`;
  }
  return String(a);
}

/**
 * Inertia without its tolerance field (the commands report `tol` once, beside it).
 * @example
 * counts({ negative: 1, zero: 0, positive: 9, tol: 1e-9 }); // { negative: 1, zero: 0, positive: 9 }
 */
export function counts(i: { negative: number; zero: number; positive: number }): { negative: number; zero: number; positive: number } {
  return { negative: i.negative, zero: i.zero, positive: i.positive };
}
