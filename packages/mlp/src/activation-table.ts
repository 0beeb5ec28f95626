/**
 * The activation table: every hidden or output activation σ of losscape, defined once. It is the single source of
 * the TypeScript engine (`activations.generated.ts`), the WASM kernels (`assembly/activations.generated.ts`), the
 * names and codes of the model format, the symmetries used by `@losscape/embedding`'s `reduceNetwork`, and the lists
 * the tests and the command line enumerate. `scripts/gen-activations.mjs` writes both generated files from it
 * (every build runs it; CONTRIBUTING.md, "Adding an activation", has the steps).
 *
 * Formulas are source text in the common subset of TypeScript and AssemblyScript: f64 arithmetic on z (the
 * pre-activation) and p (the activation's parameter, 0 when it has none), `Math.*`, and the special functions both
 * languages define alike (`sigmoid`, `normalCdf`, `normalPdf`, `INV_SQRT_2PI`: packages/mlp/src/special-functions.ts and
 * assembly/special-functions.ts). `let` names intermediate values shared by σ, σ′ and σ″ (each formula is emitted
 * with just the `let`s it uses, in table order); the kernels that compute all three at once share them.
 *
 * This file imports nothing: the generator loads it on its own.
 */

/** One activation. */
export interface ActivationEntry {
  /** The name in specs, model files and on the command line. */
  readonly name: string;
  /** The integer code passed to the WASM kernels; unique, never reused. */
  readonly code: number;
  /** σ in words and symbols, for documentation and `--help`. */
  readonly formula: string;
  /** A real parameter of σ (leaky-relu's slope): its field name in `{ name, <field>: value }` and its default. */
  readonly param?: { readonly name: string; readonly default: number };
  /**
   * The reflection symmetry σ(−z) = s·σ(z) + c for every z, when σ has one: odd (s = −1, c = 0), even (s = 1,
   * c = 0), sigmoid's σ(−z) = 1 − σ(z) (s = −1, c = 1). Null otherwise. `reduceNetwork` merges neurons whose
   * incoming weights are opposite (uᵢ = −uⱼ) with it.
   */
  readonly reflection: { readonly s: number; readonly c: number } | null;
  /**
   * σ(cz) = c·σ(z) for every c > 0 (positively homogeneous: linear, relu, leaky-relu). Neurons whose incoming
   * weights are positive multiples of each other then compute multiples of one function.
   */
  readonly positivelyHomogeneous: boolean;
  /** Named intermediate values (in order; each may use z, p and the ones before it). */
  readonly let?: Readonly<Record<string, string>>;
  /** σ(z). */
  readonly value: string;
  /** σ′(z); at a kink, the left derivative. */
  readonly first: string;
  /** σ″(z) (0 almost everywhere for piecewise-linear σ). */
  readonly second: string;
  /**
   * Hand-written WASM array paths (assembly/activation-paths.ts) that replace the generated loops, by function
   * name: `forward(p, z, a, s1, s2, cnt, want2)` writes σ, σ′ (and σ″) of cnt entries, `values(p, z, a, cnt)` σ
   * alone. They must give the values of the formulas above (the tests compare them), up to the documented
   * accuracy of their elementary functions (tanh and sigmoid in `values` use elementary.ts's polynomial exp).
   */
  readonly wasm?: { readonly forward?: string; readonly values?: string };
}

/** Every activation, by code. Append new activations with the next free code. */
export const ACTIVATION_TABLE = [
  {
    name: "linear",
    code: 0,
    formula: "σ(z) = z",
    reflection: { s: -1, c: 0 },
    positivelyHomogeneous: true,
    value: "z",
    first: "1",
    second: "0",
    wasm: { forward: "linearForward", values: "linearValues" },
  },
  {
    name: "tanh",
    code: 1,
    formula: "σ(z) = tanh z",
    reflection: { s: -1, c: 0 },
    positivelyHomogeneous: false,
    let: { t: "Math.tanh(z)", d: "1 - t * t" },
    value: "t",
    first: "d",
    second: "-2 * t * d",
    wasm: { values: "tanhValues" },
  },
  {
    name: "sigmoid",
    code: 2,
    formula: "σ(z) = 1/(1 + e^{−z})",
    reflection: { s: -1, c: 1 },
    positivelyHomogeneous: false,
    let: { s: "sigmoid(z)", d: "s * (1 - s)" },
    value: "s",
    first: "d",
    second: "d * (1 - 2 * s)",
    wasm: { values: "sigmoidValues" },
  },
  {
    name: "softplus",
    code: 3,
    formula: "σ(z) = log(1 + e^z)",
    reflection: null,
    positivelyHomogeneous: false,
    let: { s: "sigmoid(z)" },
    value: "Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))",
    first: "s",
    second: "s * (1 - s)",
  },
  {
    name: "relu",
    code: 4,
    formula: "σ(z) = max(z, 0)",
    reflection: null,
    positivelyHomogeneous: true,
    value: "z > 0 ? z : 0",
    first: "z > 0 ? 1 : 0",
    second: "0",
    wasm: { forward: "reluForward", values: "reluValues" },
  },
  {
    name: "leaky-relu",
    code: 5,
    formula: "σ(z) = z for z > 0, slope·z otherwise",
    param: { name: "slope", default: 0.01 },
    reflection: null,
    positivelyHomogeneous: true,
    value: "z > 0 ? z : p * z",
    first: "z > 0 ? 1 : p",
    second: "0",
    wasm: { forward: "leakyReluForward", values: "leakyReluValues" },
  },
  {
    name: "gelu",
    code: 6,
    formula: "σ(z) = z·Φ(z) (erf form)",
    reflection: null,
    positivelyHomogeneous: false,
    let: { c: "normalCdf(z)", ph: "normalPdf(z)" },
    value: "z * c",
    first: "c + z * ph",
    second: "ph * (2 - z * z)",
  },
  {
    name: "quadratic",
    code: 7,
    formula: "σ(z) = z²",
    reflection: { s: 1, c: 0 },
    positivelyHomogeneous: false,
    value: "z * z",
    first: "2 * z",
    second: "2",
  },
  {
    name: "sin",
    code: 8,
    formula: "σ(z) = sin z",
    reflection: { s: -1, c: 0 },
    positivelyHomogeneous: false,
    let: { v: "Math.sin(z)" },
    value: "v",
    first: "Math.cos(z)",
    second: "-v",
  },
  {
    name: "silu",
    code: 9,
    formula: "σ(z) = z/(1 + e^{−z}) (SiLU, swish)",
    reflection: null,
    positivelyHomogeneous: false,
    let: { s: "sigmoid(z)" },
    value: "z * s",
    first: "s * (1 + z * (1 - s))",
    second: "s * (1 - s) * (2 + z * (1 - 2 * s))",
  },
] as const satisfies readonly ActivationEntry[];
