import { ValueError } from "@losscape/core";
import { ACTIVATION_TABLE, type ActivationEntry } from "./activation-table.js";
import { act, act1, act2 } from "./activations.generated.js";
import type { Activation, ActivationName, OutputActivation } from "./types.js";

export { act, act1, act2 };
export { erf } from "./special-functions.js";

/**
 * Activation functions with their first and second derivatives, and the integer codes shared with the WASM
 * kernels: all from the activation table (activation-table.ts). The kernels receive an Int32Array of codes and a
 * Float64Array of parameters (the slope of leaky-relu, 0 for the others).
 */
export const ACTIVATION_CODES: Readonly<Record<ActivationName, number>> = Object.fromEntries(
  ACTIVATION_TABLE.map((e) => [e.name, e.code]),
) as Record<ActivationName, number>;

const BY_NAME: ReadonlyMap<string, ActivationEntry> = new Map(ACTIVATION_TABLE.map((e) => [e.name, e]));

/** The default slope of leaky-relu (docs/formats.md#models), from the table. */
export const DEFAULT_LEAKY_SLOPE: number = BY_NAME.get("leaky-relu")!.param!.default;
const NAMES = ACTIVATION_TABLE.map((e) => e.name).join(", ");
const OBJECT_FORMS = ACTIVATION_TABLE.flatMap((e: ActivationEntry) => (e.param ? [`{name: '${e.name}', ${e.param.name}}`] : [])).join(", ");

/** The table entry of an activation (a name, or `{ name, <param>: value }`); undefined when there is none. */
export function activationEntry(a: Activation | OutputActivation): ActivationEntry | undefined {
  if (typeof a !== "string" && (typeof a !== "object" || a === null || Array.isArray(a))) {
    throw new ValueError(`activationEntry: argument 'a' must be an activation name or { name, <param> }; found ${a === null ? "null" : Array.isArray(a) ? "an array" : typeof a}`);
  }
  return BY_NAME.get(typeof a === "string" ? a : (a as { name: string }).name);
}

/** Resolve an activation to its kernel code and parameter; `where` names the field for error messages. */
export function activationCode(fn: string, where: string, a: Activation | OutputActivation | unknown): { code: number; param: number } {
  if (typeof a === "string") {
    const e = BY_NAME.get(a);
    if (e === undefined) {
      throw new ValueError(`${fn}: '${where}' must be one of ${NAMES}; found '${a}'`);
    }
    return { code: e.code, param: e.param?.default ?? 0 };
  }
  const e = typeof a === "object" && a !== null ? BY_NAME.get((a as { name?: unknown }).name as string) : undefined;
  if (e?.param !== undefined) {
    const value = (a as Record<string, unknown>)[e.param.name] ?? e.param.default;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ValueError(`${fn}: '${where}.${e.param.name}' must be a finite number; found ${String(value)}`);
    }
    return { code: e.code, param: value };
  }
  const shown = typeof a === "object" && a !== null ? JSON.stringify(a) : String(a);
  throw new ValueError(`${fn}: '${where}' must be one of ${NAMES} or ${OBJECT_FORMS}; found ${shown}`);
}

/**
 * σ(z), σ'(z), σ''(z) of a named activation (a convenience over the kernel codes), e.g. for plots and checks.
 * tanh: σ' = 1 − tanh², σ'' = −2 tanh (1 − tanh²); gelu (erf form): σ = zΦ(z), σ' = Φ + zφ, σ'' = φ(2 − z²).
 * @example
 * activationDerivatives("tanh", 0) // { value: 0, first: 1, second: -0 }
 */
export function activationDerivatives(activation: Activation, z: number): { value: number; first: number; second: number } {
  const { code, param } = activationCode("activationDerivatives", "activation", activation);
  if (typeof z !== "number" || !Number.isFinite(z)) {
    throw new ValueError(`activationDerivatives: argument 'z' must be a finite number; found ${typeof z === "string" ? JSON.stringify(z) : String(z)}`);
  }
  return { value: act(code, param, z), first: act1(code, param, z), second: act2(code, param, z) };
}
