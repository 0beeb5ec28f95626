import { isLosscapeError } from "@losscape/core";
import { globalMinimumDimension, NotAMinimumError } from "@losscape/manifold";
import { jacobian } from "@losscape/mlp";
import { InputError } from "../errors.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { fmt, keyValues, numberBlock } from "../format.js";
import { checkOutputDir, loadModelAndData, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";
import { dimensionVerdict, verdictLine } from "../verdict.js";

export interface DimensionOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  npy?: string;
  tol?: number;
  rankTol?: number;
  lossTol: number;
}

/**
 * `losscape dimension`: at a zero-loss point, the rank of the output Jacobian J ((n·r) × M), the local dimension
 * M − rank J of the zero-loss set, Cooper's generic dimension M − n·r, the Hessian corank, and whether they agree
 * (Cooper 2021). A point with R > --loss-tol is bad input (it is not a global minimum).
 * @example
 * await dimensionCommand({ model: "fit.json", data: "d.json", lossTol: 1e-10 }, ctx);
 */
export async function dimensionCommand(o: DimensionOptions, ctx: Context): Promise<void> {
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const { model, data } = loadModelAndData(o);
  const st = status(`dimension of the minima set at ${describeModel(model)}`, ctx.quiet);
  let d: ReturnType<typeof globalMinimumDimension>;
  try {
    d = globalMinimumDimension(model, data, {
      ...(o.tol !== undefined ? { tol: o.tol } : {}),
      ...(o.rankTol !== undefined ? { rankTol: o.rankTol } : {}),
      lossTol: o.lossTol,
    });
  } catch (e) {
    // The library's message names its option (lossTol); the command line names the flag.
    if (e instanceof NotAMinimumError) {
      throw new InputError(`${o.model}: not a (near-)zero-loss minimum (R ≤ --loss-tol = ${o.lossTol}); found R = ${e.loss}, ‖∇R‖ = ${e.gradNorm}`);
    }
    // The zero-loss set f(xᵢ) = yᵢ is where the mse loss vanishes: a cross-entropy model (its file's loss or --loss) has none.
    if (isLosscapeError(e) && /'loss' must be "mse"/.test(e.message)) {
      throw new InputError(`${o.model}${o.loss !== undefined ? ` with --loss ${o.loss}` : ""}: the dimension of the minima is that of the zero-loss set f(xᵢ) = yᵢ, where the mse loss vanishes; expected loss "mse", found "${model.loss}"`);
    }
    throw e;
  } finally {
    st.end();
  }
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, {
        jacobian: jacobian(model, data.x),
        "jacobian-singular-values": Float64Array.from(d.jacobianSingularValues),
        "hessian-eigenvalues": Float64Array.from(d.hessian.eigenvalues),
      })
    : [];
  const verdict = dimensionVerdict({ ...d, nr: d.dataCount * d.outputDim });
  const record = {
    paramCount: d.paramCount,
    dataCount: d.dataCount,
    outputDim: d.outputDim,
    loss: d.loss,
    jacobianRank: d.jacobianRank,
    jacobianSingularValues: d.jacobianSingularValues,
    localDimension: d.localDimension,
    cooperDimension: d.cooperDimension,
    hessianCorank: d.hessianCorank,
    agrees: d.agrees,
    gradNorm: d.gradNorm,
    rankTol: d.rankTol,
    hessianTol: d.hessian.tol,
    hessianTolSource: d.hessian.tolSource,
    redundancyBound: d.embedding.bound,
    verdict,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings: [] as string[],
  };
  emit(ctx, record, () => {
    const n = d.dataCount * d.outputDim;
    return (
      keyValues([
        ["model", `${o.model} (${describeModel(model)})`],
        ["data", `${o.data} (n = ${d.dataCount}, r = ${d.outputDim}, n·r = ${n})`],
        ["loss", fmt(d.loss)],
        ["rank J", `${d.jacobianRank} of ${Math.min(n, d.paramCount)} (σᵢ > ${d.rankTol}·σ_max)`],
        ["local dimension", `${d.localDimension} = M − rank J`],
        ["Cooper dimension", `${d.cooperDimension} = M − n·r`],
        ["Hessian corank", `${d.hessianCorank} (tolerance ${fmt(d.hessian.tol)}, ${d.hessian.tolSource})`],
        ["agrees", d.agrees ? "yes: rank J = n·r and corank H = M − n·r" : "no"],
        ["redundant neurons", `${d.embedding.bound} (m_total − m_min: extra degeneracy from split neurons)`],
        ...npyRow(o.npy, npyFiles),
      ]) +
      "\nsingular values of J (descending):\n" +
      numberBlock(d.jacobianSingularValues) +
      verdictLine(verdict)
    );
  });
}
