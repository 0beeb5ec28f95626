import type { Mat } from "@losscape/core";
import type { ACTIVATION_TABLE } from "./activation-table.js";

/**
 * Types shared by every losscape package that handles networks (docs/conventions.md, docs/formats.md).
 *
 * Network: widths [d_in, m_1, …, m_{L-1}, d_out]; h⁰ = x; hˡ = σ(Wˡhˡ⁻¹ + bˡ) for hidden layers;
 * f(x) = W^L h^{L-1} + b^L (linear output unless `output` says otherwise).
 * Flat parameter order θ = [W¹ (m₁ × d_in, row-major), b¹, W², b², …, W^L, b^L] (PyTorch's order);
 * without bias, the b's are absent.
 */
export type ActivationName = ActivationTableEntry["name"];

type ActivationTableEntry = (typeof ACTIVATION_TABLE)[number];
type WithParam = Extract<ActivationTableEntry, { param: object }>;

/**
 * A hidden activation: a name of the activation table (activation-table.ts), or an activation with a parameter as
 * `{ name, <param>: value }`: `{ name: "leaky-relu", slope }` (a name alone takes the default slope 0.01).
 */
export type Activation =
  | ActivationName
  | { [E in WithParam as E["name"]]: { name: E["name"] } & { [K in E["param"]["name"]]: number } }[WithParam["name"]];

export type OutputActivation = "linear" | ActivationName;

export type LossName = "mse" | "cross-entropy";

/** The architecture of a fully connected network, without parameters. */
export interface MlpSpec {
  /** [d_in, m_1, …, m_{L-1}, d_out], every entry an integer ≥ 1, at least two entries. */
  readonly widths: readonly number[];
  /** One activation for every hidden layer, or one per hidden layer (length L − 1). */
  readonly activation: Activation | readonly Activation[];
  /** Output activation, default "linear". */
  readonly output?: OutputActivation;
  /** Biases on every layer, default true. */
  readonly bias?: boolean;
  /** mse: R = 1/(2n) Σ‖f(xᵢ) − yᵢ‖² (default); cross-entropy: mean softmax cross-entropy. */
  readonly loss?: LossName;
  /** Optional L2 term (l2/2)·‖θ‖² added to the loss, default 0. */
  readonly l2?: number;
}

/** A network with its parameters (the in-memory form of a `losscape.mlp/1` file). */
export interface Model extends MlpSpec {
  /** Flat parameters in the order of docs/conventions.md#flat-parameter-order; length = paramCount(spec). */
  readonly params: Float64Array;
  /** Free-form metadata, kept on round trips. */
  readonly meta?: Record<string, unknown>;
}

/** n samples: x is n × d_in, y is n × d_out (one-hot or class probabilities for cross-entropy). */
export interface Dataset {
  readonly x: Mat;
  readonly y: Mat;
}

/**
 * A data set as functions take it: x and y as Mats or as rows of numbers (`[[0.5, 1], [2, 3]]`); a plain array of
 * numbers (or a Float64Array) is one column, one entry per sample (`{ x: [0, 0.5, 1], y: [0, 0.25, 1] }`).
 */
export type DatasetInput =
  | Dataset
  | { readonly x: Mat | PlainMatrix; readonly y: PlainMatrix }
  | { readonly x: PlainMatrix; readonly y: Mat | PlainMatrix };

/** Rows of numbers, or a plain array of numbers (one column). */
export type PlainMatrix = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/** A model as functions take it: `params` as a Float64Array or as a plain array of numbers. */
export type ModelInput = Model | (Omit<Model, "params"> & { readonly params: readonly number[] });

/** One layer's parameters: W is (fan_out × fan_in), b has length fan_out (zeros-length when bias is off). */
export interface Layer {
  W: Mat;
  b: Float64Array;
}
