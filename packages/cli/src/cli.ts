import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { EIGH_MAX_ORDER, init, isLosscapeError } from "@losscape/core";
import { DEFAULT_INERTIA_TOL } from "@losscape/core/defaults";
import { DEFAULT_REDUCE_TOL } from "@losscape/embedding/defaults";
import { DEFAULT_END_POINT_GRAD_TOL, MAX_STEPS } from "@losscape/experiments/defaults";
import { DEFAULT_RANK_TOL, DEFAULT_ZERO_LOSS_TOL } from "@losscape/manifold/defaults";
import { DEFAULT_GTOL, DEFAULT_GTOL_REL, DEFAULT_SPECTRUM_LIMIT, MAX_DENSE_ENTRIES } from "@losscape/mlp/defaults";
import { ACTIVATION_TABLE } from "@losscape/mlp/activation-table";
import type { Context } from "./context.js";
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, InputError, UnavailableError, exitCodeOf, oneLine, overflowedFloat64 } from "./errors.js";
import { collect, num, numList, oneOf } from "./options.js";

/** The package version (from package.json), printed by `losscape --version`. */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

type Impl = (opts: any, ctx: Context) => Promise<void>;

/** The activations of mlp's table, for `--help`: "linear, tanh, …" and "leaky-relu:0.2" (name:parameter). */
const ACTIVATION_NAMES = ACTIVATION_TABLE.map((e) => e.name).join(", ");
const PARAM_FORMS = ACTIVATION_TABLE.flatMap((e) => ("param" in e ? [`${e.name}:<${e.param.name}>`] : [])).join(", ");

/**
 * Upper bounds of sizes given on the command line, checked when the option is parsed (before any work): out of
 * memory is bad input. A list the record prints point by point (`--json` holds every one) gets at most 2^23 points;
 * a dense n × n matrix at most 2^28 entries (n ≤ 16384), the bound of @losscape/mlp's dense results.
 */
export const MAX_LISTED = 2 ** 23;
/** Why steps, epochs and iterations stop at MAX_STEPS = 2^24 (@losscape/experiments' defaults). */
const STEPS_WHY = "2^24: one ≈ 64-byte history or trace row is kept per step";
export const MAX_DENSE_SIDE = Math.sqrt(MAX_DENSE_ENTRIES); // 2^14

/**
 * Refuse, before the work, a dense M × M Hessian of more than 2^28 entries (M > MAX_DENSE_SIDE): an InputError
 * "`what` M × M with M = … parameters (… GiB); at most M = 16384 (2^28 entries) are supported`advice`", where `what`
 * names the flag or file and the Hessian (e.g. "--model m.json: the exact Hessian is"). With `eigenvectors` (the
 * command eigendecomposes it: five M × M matrices in WASM memory) the bound is core's EIGH_MAX_ORDER, M ≤ 10329.
 * @example
 * checkDenseHessian(`--model ${file}: the exact Hessian is`, 18001); // throws: … (2.4 GiB); at most M = 16384 …
 */
export function checkDenseHessian(what: string, M: number, advice = "", eigenvectors = false): void {
  if (eigenvectors) {
    // its eigendecomposition holds five M × M matrices in WASM memory (core's EIGH_MAX_ORDER)
    if (M <= EIGH_MAX_ORDER) return;
    throw new InputError(`${what} M × M with M = ${M} parameters, and its eigendecomposition five such matrices (${((5 * M * M * 8) / 2 ** 30).toFixed(1)} GiB); at most M = ${EIGH_MAX_ORDER} fit in the 4 GiB of WASM memory${advice}`);
  }
  if (M <= MAX_DENSE_SIDE) return;
  throw new InputError(`${what} M × M with M = ${M} parameters (${((M * M * 8) / 2 ** 30).toFixed(1)} GiB); at most M = ${MAX_DENSE_SIDE} (2^28 entries) are supported${advice}`);
}
/** Threads of a local pool: each holds its own WASM instance and heap. */
const MAX_THREADS = 1024;

/** The command being run, for the one-line error message. */
let current = "";

/**
 * Run the `losscape` command line (docs/cli.md) and resolve to its exit status: 0 success, 2 bad input (one line on
 * stderr naming the problem), 1 internal failure (one line, never a stack trace), 130 or 143 when SIGINT or SIGTERM
 * stopped `experiment run` before its tasks were done (one line saying what was kept).
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  current = "";
  const program = buildProgram();
  if (argv.length <= 2) {
    // Bare `losscape`: the overview a user is looking for, on stdout, like --help (not a usage error on stderr).
    process.stdout.write(program.helpInformation());
    return EXIT_OK;
  }
  // `losscape experiment` without a subcommand: its overview on stdout, like bare `losscape` (commander would print
  // it on stderr, many lines, as an error).
  const group = argv.length === 3 ? program.commands.find((c) => c.name() === argv[2] && c.commands.length > 0) : undefined;
  if (group) {
    process.stdout.write(group.helpInformation());
    return EXIT_OK;
  }
  try {
    unknownOptionsFirst(program, argv.slice(2));
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version print and exit 0; every other commander error (unknown option, missing required option,
      // bad option value, unknown command) was already printed as one line by `outputError`: bad input.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return EXIT_OK;
      return EXIT_BAD_INPUT;
    }
    const code = exitCodeOf(e);
    const where = current ? `losscape ${current}` : "losscape";
    // A package error raised by the function of the same name ("train: …") needs no second prefix.
    const msg = oneLine(e).replace(new RegExp(`^${current}: `), "");
    process.stderr.write(`${where}: ${code === EXIT_INTERNAL && !(e instanceof UnavailableError) ? "internal error: " : ""}${msg}\n`);
    if (code === EXIT_INTERNAL && process.env.LOSSCAPE_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
    return code;
  }
}

/**
 * A mistyped option is reported as such, with commander's "Did you mean …?", before commander's own check of
 * required options would report the option it was meant to be as missing (`hessian --modle m.json` says
 * "unknown option '--modle' (Did you mean --model?)", not "required option '--model <M>' not specified").
 * Values of options that take one are skipped (so `--eps -0.1` still reaches its own range check).
 */
function unknownOptionsFirst(program: Command, args: readonly string[]): void {
  let cmd = program.commands.find((c) => c.name() === args[0]);
  if (!cmd) return;
  // A command with subcommands ("experiment run"): the subcommand's options.
  if (cmd.commands.length > 0) {
    cmd = cmd.commands.find((c) => c.name() === args[1]);
    if (!cmd) return;
    args = args.slice(1);
  }
  const byFlag = new Map<string, Option>();
  for (const o of cmd.options) for (const f of [o.long, o.short]) if (f) byFlag.set(f, o);
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return;
    if (!a.startsWith("-") || a === "-") continue;
    const flag = a.startsWith("--") ? a.split("=")[0] : a;
    if (flag === "--help" || flag === "-h") return;
    const o = byFlag.get(flag);
    if (!o) (cmd as unknown as { unknownOption(flag: string): never }).unknownOption(flag);
    else if (!a.includes("=") && (o.required || (o.optional && i + 1 < args.length && !args[i + 1].startsWith("-")))) i++;
  }
}

function oneLineOutput(name: string) {
  return {
    outputError: (str: string, write: (s: string) => void) => {
      const msg = str.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
      write(`${name}: ${msg}\n`);
    },
  };
}

/**
 * The compute backend: the one `--backend` names, else the fastest WASM build; when no WASM build can be read or
 * run (an `E_WASM` error: a missing or damaged .wasm file), the pure-TypeScript backend, with a warning.
 */
async function initBackend(backend: "simd" | "scalar" | "ts" | undefined, quiet: boolean): Promise<void> {
  if (backend) {
    await init({ backend });
    return;
  }
  try {
    await init();
  } catch (e) {
    if (!(isLosscapeError(e) && e.code === "E_WASM")) throw e;
    await init({ backend: "ts" });
    if (!quiet) process.stderr.write(`losscape: warning: ${oneLine(e)}; using the pure-TypeScript backend (slower)\n`);
  }
}

/** A command with the action wrapper (WASM init, context, error propagation); `addCommonOptions` adds the shared options. */
function define(program: Command, name: string, description: string, impl: () => Promise<Impl>): Command {
  const cmd = program.command(name).description(description);
  // A subcommand ("experiment run") is named with its parent in messages.
  const full = program.parent ? `${program.name()} ${name.split(" ")[0]}` : name;
  cmd.configureOutput(oneLineOutput(`losscape ${full}`));
  // commander passes the positional arguments first, then the options and the command: positionals go in `args`.
  cmd.action(async (...given: unknown[]) => {
    const self = given[given.length - 1] as Command;
    // `explicit`: the options given on the command line (not defaults), for the checks of options that apply only
    // with another one (an option that does nothing is refused, never ignored).
    const explicit = self.options.map((o) => o.attributeName()).filter((k) => self.getOptionValueSource(k) === "cli");
    const opts: Record<string, unknown> = { ...(given[given.length - 2] as Record<string, unknown>), args: given.slice(0, -2), explicit };
    current = full;
    checkDataFlags(self, opts);
    const run = await impl();
    await initBackend(opts.backend as "simd" | "scalar" | "ts" | undefined, opts.quiet === true);
    try {
      await run(opts, { name: full, json: opts.json === true, quiet: opts.quiet === true });
    } catch (e) {
      // A package's refusal of a non-finite loss, gradient or Hessian that the command did not name by a flag: bad
      // input naming the model and data files and what is not finite, not the package function that refused it.
      if (overflowedFloat64(e)) throw (await import("./io.js")).overflowAtInputs(e, opts);
      throw e;
    }
  });
  return cmd;
}

/**
 * `--inputs`, `--labels` and `--targets` say how `--data` is read: given without `--data` (where it is optional) they
 * would do nothing, so they are bad input.
 */
function checkDataFlags(cmd: Command, opts: Record<string, unknown>): void {
  if (!cmd.options.some((o) => o.long === "--data") || opts.data !== undefined) return;
  for (const [key, flag] of [["inputs", "--inputs"], ["labels", "--labels"], ["targets", "--targets"]] as const) {
    if (opts[key] !== undefined) throw new InputError(`${flag} says how the --data file is read; found ${flag} without --data`);
  }
}

const tolOpt = () => new Option("--tol <T>", "relative zero tolerance of the inertia: |λ| ≤ T·max(1, max|λ|)").argParser(num({ min: 0 })).default(DEFAULT_INERTIA_TOL);
const inputsOpt = () => new Option("--inputs <d_in>", "for CSV data: how many leading columns are inputs (default: all but the last)").argParser(num({ min: 1, integer: true }));

/** How the data file's samples are read: CSV columns, class labels, targets from another file (docs/formats.md#data-files). */
function dataOptions(cmd: Command): Command {
  return cmd
    .addOption(inputsOpt())
    .option("--labels [F]", "y holds integer class labels, one-hot encoded: the data file's y column, or the labels in file F (.npy, IDX, CSV)")
    .option("--targets <F>", "y from file F (.npy, .npz, IDX, CSV) for a data file that holds x only (.npy, IDX)");
}

/** What an ONNX or safetensors model file does not state (docs/formats.md#model-files). */
function modelOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--widths <w>", "for a .safetensors model without losscape metadata: the widths, e.g. 784,400,10 (default: from the tensor shapes)").argParser(numList({ min: 1, integer: true }, 2)))
    .option("--activation <a>", `for a .safetensors model without losscape metadata: the hidden activation (${ACTIVATION_NAMES}; name:<parameter>), or one per hidden layer`)
    .addOption(new Option("--loss <l>", "the loss: mse or cross-entropy (ONNX and safetensors files carry none: default mse; overrides a model file's)").argParser(oneOf("mse", "cross-entropy")));
}

const npyOpt = () => new Option("--npy <DIR>", "also write the arrays as numpy .npy files into DIR (created when missing)");

/**
 * The commander program with every command of docs/cli.md.
 * @example
 * await buildProgram().parseAsync(["node", "losscape", "hessian", "--model", "m.json", "--data", "d.json"]);
 */
export function buildProgram(): Command {
  const program = new Command("losscape");
  program
    .description("Loss-landscape geometry of neural networks: Hessians, critical points, embeddings, spectra, minima manifolds.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput(oneLineOutput("losscape"))
    .showSuggestionAfterError(true);

  define(program, "hessian", "exact Hessian of the loss at the model: eigenvalues and inertia", async () => (await import("./commands/hessian.js")).hessianCommand)
    .requiredOption("--model <M>", "model file (losscape.mlp/1)")
    .requiredOption("--data <D>", "data file (losscape.data/1 JSON or CSV)")
    .addOption(tolOpt())
    .option("--split", "also the eigenvalues of H₀ = JᵀJ/n (Gauss–Newton) and H₁ (residual part)")
    .option("--plot <F>", "the eigenvalues on a signed log axis (with --split: H, H₀, H₁); .svg or .png");

  define(program, "curvature", "matrix-free curvature of the loss: top/bottom eigenpairs, trace, SLQ density and index", async () => (await import("./commands/curvature.js")).curvatureCommand)
    .requiredOption("--model <M>", "model file (losscape.mlp/1)")
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--part <p>", "full (H), gauss-newton (H₀) or residual (H₁ = H − H₀)").argParser(oneOf("full", "gauss-newton", "residual")).default("full"))
    .addOption(new Option("--top <k>", "the k largest eigenpairs (default min(5, M) when nothing else is asked)").argParser(num({ min: 1, integer: true })))
    .addOption(new Option("--bottom <k>", "the k smallest eigenpairs").argParser(num({ min: 1, integer: true })))
    .option("--trace", "the trace (Hutch++, 99 products, with its standard error)")
    .option("--density", "the SLQ spectral density (PyHessian's Gaussian-broadened form) and the index estimate")
    .addOption(new Option("--probes <N>", "SLQ probes").argParser(num({ min: 2, integer: true })).default(10))
    .addOption(new Option("--steps <N>", "Lanczos steps per SLQ probe").argParser(num({ min: 1, integer: true })).default(80))
    .addOption(new Option("--bins <N>", "grid points of the density").argParser(num({ min: 2, max: MAX_LISTED, integer: true, what: "points of the density listed in the record" })).default(1000))
    .addOption(new Option("--tol <T>", "relative residual of the eigenpairs: ‖Hv − λv‖ ≤ T·‖H‖").argParser(num({ min: 0, exclusiveMin: true })).default(1e-8))
    .addOption(new Option("--seed <s>", "seed of the random probes and starting block").argParser(num({ integer: true, min: 0 })).default(0))
    .addOption(new Option("--threads <N>", "worker threads over the data's chunks (default: the number of cores; results identical for any N)").argParser(num({ min: 1, integer: true })))
    .addOption(new Option("--exact-limit <M>", "dense exact answers up to this many parameters (0: always estimate)").argParser(num({ min: 0, integer: true })).default(DEFAULT_SPECTRUM_LIMIT))
    .option("--plot <F>", "the spectral density (implies --density); .svg or .png");

  define(program, "critical", "refine the model to a critical point ∇R = 0", async () => (await import("./commands/critical.js")).criticalCommand)
    .requiredOption("--model <M>", "model file (losscape.mlp/1): the starting point")
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--method <m>", "newton (Levenberg–Marquardt on ∇R = 0) or gradnorm (L-BFGS on ½‖∇R‖² first)").argParser(oneOf("newton", "gradnorm")).default("newton"))
    .addOption(new Option("--gtol <g>", "absolute target ‖∇R‖: critical when ‖∇R‖ ≤ max(gtol, gtol-rel·‖|H|·max(1, |θ|)‖₂)").argParser(num({ min: 0 })).default(DEFAULT_GTOL))
    .addOption(new Option("--gtol-rel <r>", "relative target (rounding θ moves ∇R by up to ε·|H|·|θ| componentwise)").argParser(num({ min: 0 })).default(DEFAULT_GTOL_REL))
    .addOption(new Option("--max-iter <k>", "bound on all iterations, every phase counted (default 200 for newton, 5000 for gradnorm)").argParser(num({ min: 0, max: MAX_STEPS, integer: true, what: STEPS_WHY })))
    .addOption(new Option("--hessian <h>", "dense (LM on the Hessian's eigendecomposition; default up to M = 1024) or matrix-free (Newton-MR on Hessian-vector products)").argParser(oneOf("dense", "matrix-free")))
    .addOption(tolOpt())
    .option("--out <F>", "also write the end point as a model file");

  define(program, "train", "train a network (full batch or minibatches)", async () => (await import("./commands/train.js")).trainCommand)
    .requiredOption("--data <D>", "data file")
    .option("--model <M>", "start from this model file")
    .addOption(new Option("--widths <w>", "or a fresh network with these widths, e.g. 1,3,1").argParser(numList({ min: 1, integer: true }, 2)))
    .option("--activation <a>", `hidden activation for --widths (default tanh), or of a .safetensors --model without losscape metadata: ${ACTIVATION_NAMES} (with a parameter: ${PARAM_FORMS}), or one per hidden layer, comma-separated`)
    .addOption(new Option("--loss <l>", "the loss: mse or cross-entropy (default mse for --widths; a --model file's own, mse for ONNX and safetensors)").argParser(oneOf("mse", "cross-entropy")))
    .addOption(new Option("--optimizer <o>", "adam, sgd, lbfgs or gd (default adam)").argParser(oneOf("adam", "sgd", "lbfgs", "gd")))
    .addOption(new Option("--epochs <k>", "number of epochs (full batch: steps)").argParser(num({ min: 0, max: MAX_STEPS, integer: true, what: STEPS_WHY })).default(1000))
    .addOption(new Option("--lr <r>", "learning rate (default 0.01 for adam, 0.1 for sgd and gd)").argParser(num({ min: 0, exclusiveMin: true })))
    .addOption(new Option("--batch <B>", "rows per minibatch (default: the full batch)").argParser(num({ min: 1, integer: true })))
    .addOption(new Option("--momentum <mu>", "momentum μ of --optimizer sgd (default 0)").argParser(num({ min: 0 })))
    .option("--nesterov", "Nesterov momentum (--optimizer sgd with --momentum > 0)")
    .option("--val <F>", "held-out data file: validation loss (and accuracy) every epoch; with --labels its y column holds class labels too")
    .addOption(new Option("--snapshot-every <K>", "write the model every K epochs into --snapshots").argParser(num({ min: 1, integer: true })))
    .option("--snapshots <DIR>", "directory of the snapshots (epoch-0001.json, …)")
    .option("--state <F>", "write the optimiser state at the end (to --resume from)")
    .option("--resume <F>", "continue the run whose --state this file is (with --model its last model)")
    .addOption(new Option("--seed <s>", "seed of the initialisation and of the shuffling (default 0)").argParser(num({ integer: true })))
    .addOption(new Option("--init <scheme>", "initialisation for --widths: xavier, he or normal (std 1)").argParser(oneOf("xavier", "he", "normal")).default("xavier"))
    .option("--out <F>", "also write the trained model");

  define(program, "embed", "one-step critical embedding T^α_{l,s}: split neuron s of layer l", async () => (await import("./commands/embed.js")).embedCommand)
    .requiredOption("--model <M>", "model file")
    .addOption(new Option("--layer <l>", "hidden layer (1-based)").argParser(num({ min: 1, integer: true })).makeOptionMandatory())
    .addOption(new Option("--neuron <s>", "neuron of that layer (0-based)").argParser(num({ min: 0, integer: true })).makeOptionMandatory())
    .addOption(new Option("--alpha <a>", "share α of the outgoing weights kept by the original neuron").argParser(num()).makeOptionMandatory())
    .option("--data <D>", "data file: adds the check (output preserved, still critical, inertia counts)")
    .addOption(tolOpt())
    .option("--out <F>", "also write the embedded model")
    .option("--plot <F>", "Hessian eigenvalues before and after (needs --data); .svg or .png");

  define(program, "widen", "widen the model to given widths by one-step critical embeddings, with the certificate", async () => (await import("./commands/widen.js")).widenCommand)
    .requiredOption("--model <M>", "model file")
    .addOption(new Option("--to <w>", "the wider widths, e.g. 1,5,1 (same d_in, d_out and depth; every hidden width ≥ the model's)").argParser(numList({ min: 1, integer: true }, 2)).makeOptionMandatory())
    .addOption(new Option("--alpha <a>", "share α of the outgoing weights kept by each split neuron").argParser(num()).default(0.5))
    .option("--data <D>", "data file: adds the certificate (output preserved, still critical, inertia counts never decrease)")
    .addOption(tolOpt())
    .option("--out <F>", "also write the wide model")
    .option("--plot <F>", "Hessian eigenvalues before and after (needs --data); .svg or .png");

  define(program, "lift", "the Embedding Principle in depth: insert a layer linear on the data (critical lifting) or a kinked one (split, strict saddle), with the certificate; --prune removes one", async () => (await import("./commands/lift.js")).liftCommand)
    .requiredOption("--model <M>", "model file")
    .requiredOption("--data <D>", "data file (the new layer is linear on these rows)")
    .addOption(new Option("--layer <q>", "the new layer reads layer q's output (0 = the input … L − 1); with --prune, the hidden layer to remove").argParser(num({ min: 0, integer: true })).makeOptionMandatory())
    .option("--new-activation <a>", "activation of the new layer: linear, relu or leaky-relu:<slope> (default: the model's)")
    .addOption(new Option("--scale <a>", "α > 0 in z = α·h + c").argParser(num({ min: 0, exclusiveMin: true })).default(1))
    .addOption(new Option("--margin <d>", "the smallest pre-activation on the data sits d inside the linear piece").argParser(num({ min: 0, exclusiveMin: true })).default(1))
    .addOption(
      new Option("--kind <k>", "affine (linear near the data: exactly critical), split (h = (σ(αh) − σ(−αh))/(α(1+s)), 2·m_q neurons, kinked) or strict-saddle (affine + one zero-outgoing-weight neuron: a verified strict saddle)")
        .argParser(oneOf("affine", "split", "strict-saddle"))
        .default("affine"),
    )
    .addOption(new Option("--starts <N>", "random starts of the strict-saddle search").argParser(num({ min: 1, integer: true })).default(32))
    .addOption(new Option("--seed <s>", "seed of the strict-saddle search").argParser(num({ integer: true })).default(0))
    .option("--prune", "the reverse: remove hidden layer --layer when it is affine on the data (layer pruning)")
    .addOption(tolOpt())
    .option("--out <F>", "also write the lifted (or pruned) model");

  define(program, "subspace", "the critical affine subspace of a K-neuron-wider net: every point keeps the output and criticality", async () => (await import("./commands/subspace.js")).subspaceCommand)
    .requiredOption("--model <M>", "model file")
    .requiredOption("--copies <l:s,…>", "the neurons copied, layer:neuron (layer 1-based, neuron 0-based), e.g. 1:0,1:2")
    .option("--data <D>", "data file: sample the subspace and check ‖∇R‖ and the output at each point")
    .addOption(new Option("--samples <N>", "points sampled with --data").argParser(num({ min: 1, max: MAX_LISTED, integer: true, what: "points listed in the record" })).default(8))
    .addOption(new Option("--scale <s>", "the sampled coefficients αᵢ ~ s·N(0, 1)").argParser(num({ min: 0 })).default(1))
    .addOption(new Option("--seed <s>", "seed of the samples").argParser(num({ integer: true })).default(0))
    .option("--out <F>", "also write the base point θ_B (the copies with zero outgoing weights)");

  define(program, "saddle", "the strict-saddle escape: a one-step embedding that makes the critical point a strict saddle of the wider net", async () => (await import("./commands/saddle.js")).saddleCommand)
    .requiredOption("--model <M>", "model file (a critical point)")
    .requiredOption("--data <D>", "data file")
    .addOption(tolOpt())
    .option("--out <F>", "also write the embedded point (when there is an escape)");

  define(program, "search", "multi-start search for the distinct critical points of a network, with deflation", async () => (await import("./commands/search.js")).searchCommand)
    .addOption(new Option("--widths <w>", "the network, e.g. 1,3,1 (required)").argParser(numList({ min: 1, integer: true }, 2)).makeOptionMandatory())
    .option("--activation <a>", `hidden activation: ${ACTIVATION_NAMES} (with a parameter: ${PARAM_FORMS}), or one per hidden layer, comma-separated`, "tanh")
    .option("--no-bias", "no biases")
    .addOption(new Option("--loss <l>", "mse or cross-entropy").argParser(oneOf("mse", "cross-entropy")))
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--starts <N>", "seeded random starts").argParser(num({ min: 1, integer: true })).default(20))
    .addOption(new Option("--seed <s>", "seed of the starts (start k uses seed + k)").argParser(num({ integer: true })).default(0))
    .addOption(new Option("--init <scheme>", "initialisation of the starts: normal (std 1), xavier or he").argParser(oneOf("normal", "xavier", "he")).default("normal"))
    .option("--no-descend", "refine the starts directly only (no L-BFGS descent first: finds saddles rather than minima)")
    .option("--no-deflate", "do not deflate the points found from the later refinements")
    .addOption(new Option("--distinct-tol <t>", "relative tolerance under which two points are the same (default 1e-6)").argParser(num({ min: 0, exclusiveMin: true })))
    .addOption(new Option("--method <m>", "refinement: newton or gradnorm (as `losscape critical`)").argParser(oneOf("newton", "gradnorm")).default("newton"))
    .addOption(tolOpt())
    .option("--out <DIR>", "also write every critical point as DIR/cp-01.json, cp-02.json, … (sorted by loss)")
    .option("--plot <F>", "the Hessian spectra of the points found (the first 12); .svg or .png");

  define(program, "reduce", "reduce a network to its narrowest equivalent", async () => (await import("./commands/reduce.js")).reduceCommand)
    .requiredOption("--model <M>", "model file")
    .option("--data <D>", "data file (measure the output difference on it)")
    .addOption(new Option("--tol <T>", `relative tolerance of the duplicate/zero/constant tests (default ${DEFAULT_REDUCE_TOL}; trained nets need ≈ 1e-3)`).argParser(num({ min: 0 })))
    .option("--constant-on-data", "also remove neurons constant on the data (dead relu neurons), folded into the next bias; exact on the data only (needs --data)")
    .addOption(new Option("--output-tol <τ>", "then merge or fold neurons on the data while max|f_reduced − f| over the data stays ≤ τ; exact on the data only (needs --data)").argParser(num({ min: 0 })))
    .option("--out <F>", "also write the reduced model");

  define(program, "spectrum", "Pennington–Bahri Hessian spectrum model at (φ, ε)", async () => (await import("./commands/spectrum.js")).spectrumCommand)
    .addOption(new Option("--law <m>", "the Hessian model: wigner or relu (required)").argParser(oneOf("wigner", "relu")))
    // Before --law the flag was --model, which every other command uses for a model file: still accepted.
    .addOption(new Option("--model <m>", "same as --law").argParser(oneOf("wigner", "relu")).hideHelp())
    .addOption(new Option("--phi <P>", "φ = parameters per data-output, > 0").argParser(num({ min: 0, exclusiveMin: true, what: "φ = parameters per data-output" })).makeOptionMandatory())
    .addOption(new Option("--eps <E>", "energy ε ≥ 0").argParser(num({ min: 0, what: "energy ε" })).makeOptionMandatory())
    .addOption(new Option("--lambda <list>", "density at these λ, comma-separated").argParser(numList()))
    .addOption(new Option("--grid <N>", "number of grid points").argParser(num({ min: 2, max: MAX_LISTED, integer: true, what: "points of the density listed in the record" })).default(200))
    .addOption(new Option("--from <a>", "grid start (default: below the support)").argParser(num()))
    .addOption(new Option("--to <b>", "grid end (default: above the support)").argParser(num()))
    .option("--plot <F>", "density against a sampled spectrum's histogram; .svg or .png")
    .addOption(new Option("--sample <N>", "size of the sampled matrix for --plot (0: no histogram)").argParser(num({ min: 0, max: MAX_DENSE_SIDE, integer: true, what: "an N × N matrix of at most 2^28 entries" })).default(600))
    .addOption(new Option("--seed <s>", "seed of the sampled matrix").argParser(num({ integer: true })).default(1));

  define(program, "dimension", "dimension of the set of minima near the model (Cooper: M − n·r)", async () => (await import("./commands/dimension.js")).dimensionCommand)
    .requiredOption("--model <M>", "model file")
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--tol <T>", "relative zero tolerance of the Hessian corank (default: chosen at the spectrum's gap)").argParser(num({ min: 0 })))
    .addOption(new Option("--rank-tol <T>", `relative tolerance of the Jacobian rank: σᵢ > T·σ_max counts (default ${DEFAULT_RANK_TOL})`).argParser(num({ min: 0, max: 1, exclusiveMin: true })))
    .addOption(new Option("--loss-tol <L>", "the point must have loss ≤ L (a global minimum)").argParser(num({ min: 0, exclusiveMin: true })).default(DEFAULT_ZERO_LOSS_TOL));

  define(program, "connect", "a low-loss path between two models", async () => (await import("./commands/connect.js")).connectCommand)
    .requiredOption("--model <M>", "model file (give --model twice: A and B)", collect)
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--method <m>", "linear, chain, bezier or neb").argParser(oneOf("linear", "chain", "bezier", "neb")).default("linear"))
    .addOption(new Option("--points <N>", "points along the path").argParser(num({ min: 2, max: MAX_LISTED, integer: true, what: "points of the path listed in the record" })).default(51))
    .addOption(new Option("--iterations <k>", "optimisation steps for chain, bezier and neb (default 300)").argParser(num({ min: 0, integer: true })))
    .option("--plot <F>", "loss along the path; .svg or .png");

  define(program, "slice", "a 2-D slice of the loss around the model", async () => (await import("./commands/slice.js")).sliceCommand)
    .requiredOption("--model <M>", "model file")
    .requiredOption("--data <D>", "data file")
    .addOption(new Option("--dirs <d>", "random, hessian or embedding").argParser(oneOf("random", "hessian", "embedding")).default("random"))
    .addOption(new Option("--grid <N>", "grid points per axis").argParser(num({ min: 2, max: MAX_DENSE_SIDE, integer: true, what: "an N × N grid of at most 2^28 losses" })).default(21))
    .addOption(new Option("--range <r>", "half-width of the slice").argParser(num({ min: 0, exclusiveMin: true })).default(1))
    .addOption(new Option("--seed <s>", "seed of random directions").argParser(num({ integer: true })).default(0))
    .option("--plot <F>", "contours of the slice; .svg or .png");

  // τ of the Figure 6 end-point fit (experiments' DEFAULT_END_POINT_GRAD_TOL says why 1e-3); 0 or "off" turns it off.
  const endPointGtolOpt = () =>
    new Option("--end-point-gtol <τ>", "also fit the non-critical end points with ‖∇R‖ ≤ τ, shown apart from the critical points (0 or off: no)")
      .argParser((s: string) => (s === "off" ? 0 : num({ min: 0 })(s)))
      .default(DEFAULT_END_POINT_GRAD_TOL);
  define(program, "index-energy", "Pennington & Bahri's Figure 6: index against energy of critical points from descents, ε_c against φ", async () => (await import("./commands/index-energy.js")).indexEnergyCommand)
    .addOption(new Option("--widths <w>", "the net, e.g. 16,16,16 (required)").argParser(numList({ min: 1, integer: true }, 2)).makeOptionMandatory())
    .option("--activation <a>", `hidden activation: ${ACTIVATION_NAMES} (with a parameter: ${PARAM_FORMS}), or one per hidden layer, comma-separated`, "tanh")
    .option("--no-bias", "no biases (Pennington & Bahri's nets)")
    .addOption(new Option("--phi <list>", "φ = M/(m·d_out) values, comma-separated (required without --data: m = round(M/(φ·d_out)) Gaussian samples)").argParser(numList({ min: 0, exclusiveMin: true, what: "φ = parameters per data-output" })))
    .addOption(new Option("--runs <N>", "runs per φ").argParser(num({ min: 0, integer: true })).default(100))
    .addOption(new Option("--steps <list>", "descent steps before the refinement; run r takes the (r mod length)-th").argParser(numList({ min: 0, max: MAX_STEPS, integer: true, what: STEPS_WHY })).default([0, 4, 16, 64, 256, 1024]))
    .addOption(new Option("--optimizer <o>", "descent: lbfgs, adam or gd").argParser(oneOf("lbfgs", "adam", "gd")).default("lbfgs"))
    .addOption(new Option("--method <m>", "refinement: newton or gradnorm (as `losscape critical`)").argParser(oneOf("newton", "gradnorm")).default("newton"))
    .addOption(new Option("--max-iter <k>", "bound on the refinement's iterations (default 200 for newton, 5000 for gradnorm)").argParser(num({ min: 0, max: MAX_STEPS, integer: true, what: STEPS_WHY })))
    .addOption(new Option("--seed <s>", "seed of the data and the initialisations").argParser(num({ integer: true })).default(0))
    .addOption(new Option("--max-index <a>", "the fit's window: critical runs with 0 < α ≤ a").argParser(num({ min: 0, max: 1, exclusiveMin: true })).default(0.1))
    .addOption(endPointGtolOpt())
    .option("--data <D>", "a data file instead of Gaussian data (fixes m, hence φ)")
    .addOption(inputsOpt())
    .option("--out <F>", "append every run as one JSON line (resumes from F when it exists)")
    .option("--plot <F>", "Figure 6a (α against ε) and 6b (ε_c against φ); .svg or .png");

  const experiment = program.command("experiment").description("sweeps of tasks from a JSON spec on a local worker pool or on workers through Redis: run, status, aggregate, export");
  experiment.configureOutput(oneLineOutput("losscape experiment"));
  const maxIndexOpt = () => new Option("--max-index <a>", "the Figure 6 fit's window: critical runs with 0 < α ≤ a").argParser(num({ min: 0, max: 1, exclusiveMin: true })).default(0.1);
  define(experiment, "run", "run every task of the spec not yet in the results file; then the aggregate (Figure 6 for critical-search)", async () => (await import("./commands/experiment.js")).experimentRunCommand)
    .argument("<spec>", "the experiment spec (losscape.experiment/1 JSON)")
    .option("--out <F>", "the results file, appended to and resumed from (default <name>.results.jsonl)")
    .addOption(new Option("--workers <N>", "threads of the local pool (default: the number of cores)").argParser(num({ min: 1, max: MAX_THREADS, integer: true, what: "threads, each with its own heap" })))
    .option("--redis <URL>", "run through a BullMQ queue on this Redis (redis://host:port); the tasks run on `losscape worker` processes")
    .option("--queue <Q>", "the queue's name with --redis (default losscape)")
    .option("--quick", "the spec's small version (its \"quick\" overrides)")
    .addOption(maxIndexOpt())
    .addOption(endPointGtolOpt())
    .option("--plot <F>", "the Figure 6 figure of a critical-search sweep (default <out>.figure6.svg); .svg or .png");
  define(experiment, "status", "how far the spec's results file is: done, failed, pending", async () => (await import("./commands/experiment.js")).experimentStatusCommand)
    .argument("<spec>", "the experiment spec")
    .option("--out <F>", "the results file (default <name>.results.jsonl)")
    .option("--quick", "the spec's small version");
  define(experiment, "aggregate", "the aggregate step alone on a results file (Figure 6 fit and figure for critical-search)", async () => (await import("./commands/experiment.js")).experimentAggregateCommand)
    .argument("<results>", "a results file (losscape.experiment-results/1 JSONL)")
    .addOption(maxIndexOpt())
    .addOption(endPointGtolOpt())
    .option("--plot <F>", "the Figure 6 figure (critical-search results); .svg or .png");
  define(experiment, "export", "a results file as CSV and/or Parquet (a column per parameter and result field)", async () => (await import("./commands/experiment.js")).experimentExportCommand)
    .argument("<results>", "a results file")
    .option("--csv <F>", "write CSV")
    .option("--parquet <F>", "write Parquet");

  define(program, "worker", "run the tasks of `experiment run --redis` from a BullMQ queue on Redis, on a local thread pool", async () => (await import("./commands/worker.js")).workerCommand)
    .requiredOption("--redis <URL>", "the Redis server: redis://host:port")
    .option("--queue <Q>", "the queue's name (default losscape)")
    .addOption(new Option("--workers <N>", "threads (default: the number of cores)").argParser(num({ min: 1, max: MAX_THREADS, integer: true, what: "threads, each with its own heap" })))
    .addOption(new Option("--lock-ms <ms>", "BullMQ's job lock and stalled-check interval: a dead worker's job runs again after one to two of these").argParser(num({ min: 100, integer: true })).default(30_000))
    .addOption(new Option("--redis-timeout <s>", "stop when Redis stays unreachable this long").argParser(num({ min: 0, exclusiveMin: true })).default(60));

  define(program, "demo", "the built-in example end to end, with a report folder", async () => (await import("./commands/demo.js")).demoCommand)
    .option("--out <DIR>", "report folder", "losscape-report")
    .option("--quick", "smaller sizes (the same steps; for tests)");

  for (const name of ["hessian", "curvature", "critical", "embed", "widen", "lift", "subspace", "saddle", "reduce", "dimension", "connect", "slice"]) modelOptions(dataOptions(commandNamed(program, name)));
  for (const name of ["train", "search"]) dataOptions(commandNamed(program, name));
  for (const name of ["hessian", "curvature", "critical", "dimension", "connect", "slice", "spectrum", "embed", "widen", "lift", "subspace", "saddle", "search"]) commandNamed(program, name).addOption(npyOpt());
  for (const cmd of program.commands) for (const c of cmd.commands.length > 0 ? cmd.commands : [cmd]) addCommonOptions(c);
  return program;
}

function commandNamed(program: Command, name: string): Command {
  return program.commands.find((c) => c.name() === name)!;
}

/** The options every command takes, listed after its own. */
function addCommonOptions(cmd: Command): void {
  cmd.option("--json", "print exactly one JSON object on stdout (its fields: the README of @losscape/cli, docs/cli.md in the repository)");
  cmd.option("--quiet", "no progress on stderr");
  cmd.addOption(new Option("--backend <b>", "compute backend: simd, scalar (WASM builds) or ts (pure TypeScript); default the fastest available").argParser(oneOf("simd", "scalar", "ts")));
}
