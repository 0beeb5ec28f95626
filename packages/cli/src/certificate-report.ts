import type { EmbeddingCertificate } from "@losscape/embedding";
import type { Model } from "@losscape/mlp";
import { InputError } from "./errors.js";
import { fmt, fmtInertia } from "./format.js";
import { checkOutputDir, checkPlotPath, checkWritable } from "./io.js";
import { counts } from "./util.js";

/**
 * How `embed --data` and `widen --data` report `certifyEmbedding`'s certificate (docs/cli.md): the `check` record of
 * `--json`, the human rows, the arrays of `--npy` and the before/after eigenvalue figure of `--plot`.
 */

/**
 * The output flags of `embed` and `widen`, checked before any work: `--out` writable, `--plot` (which needs `--data`)
 * a figure path, `--npy` a directory that can be written.
 * @example
 * checkCertificateOutputs({ out: "wide.json", data: "d.json", plot: "h.png" });
 */
export function checkCertificateOutputs(o: { out?: string; data?: string; plot?: string; npy?: string }): void {
  if (o.out) checkWritable(o.out, "--out");
  if (o.plot) {
    if (!o.data) throw new InputError("--plot needs --data (the figure shows the Hessian eigenvalues before and after)");
    checkPlotPath(o.plot);
  }
  if (o.npy) checkOutputDir(o.npy, "--npy");
}

/**
 * The `check` field of the record: output difference, loss and ‖∇R‖ before and after, inertias, monotonicity
 * (fixed tolerance and at the gaps) and, for a one-step embedding, the split-block prediction.
 * @example
 * certificateCheck(cert, true).countsNeverDecreaseAtGap; // true
 */
export function certificateCheck(cert: EmbeddingCertificate, oneStep: boolean): Record<string, unknown> {
  return {
    maxOutputDiff: cert.maxOutputDiff,
    lossBefore: cert.lossBefore,
    lossAfter: cert.lossAfter,
    gradNormBefore: cert.gradNormBefore,
    gradNormAfter: cert.gradNormAfter,
    inertiaBefore: counts(cert.inertiaBefore),
    inertiaAfter: counts(cert.inertiaAfter),
    countsNeverDecrease: cert.countsNeverDecrease,
    countsNeverDecreaseAtGap: cert.countsNeverDecreaseAtGap,
    ...(oneStep ? { predictedInertia: cert.predictedInertia ? counts(cert.predictedInertia) : null, predictionMatches: cert.predictionMatches } : {}),
    tol: cert.tol,
  };
}

/**
 * The human rows of the certificate.
 * @example
 * keyValues([["model", "m.json"], ...certificateRows(cert, true)]);
 */
export function certificateRows(cert: EmbeddingCertificate, oneStep: boolean): [string, string][] {
  const rows: [string, string][] = [
    ["max |f_wide − f|", `${fmt(cert.maxOutputDiff)} (data and random probe inputs)`],
    ["loss", `${fmt(cert.lossBefore)} → ${fmt(cert.lossAfter)}`],
    ["‖∇R‖", `${fmt(cert.gradNormBefore)} → ${fmt(cert.gradNormAfter)}`],
    ["inertia", `${fmtInertia(cert.inertiaBefore)} → ${fmtInertia(cert.inertiaAfter)} (negative, zero, positive; tol ${cert.tol})`],
    ["counts never decrease", `${cert.countsNeverDecrease ? "yes" : "NO"} at tol ${cert.tol}; ${cert.countsNeverDecreaseAtGap ? "yes" : "NO"} with zeros at the spectral gaps`],
  ];
  if (oneStep) {
    rows.push([
      "predicted inertia",
      cert.predictedInertia
        ? `${fmtInertia(cert.predictedInertia)} = inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0): ${cert.predictionMatches ? "matches" : "DOES NOT MATCH"}`
        : "— (the base Hessian is degenerate: the split-block formula does not apply)",
    ]);
  }
  return rows;
}

/** The `--npy` arrays: the wide model's parameters and, with a certificate, the spectra before and after. */
export function certificateArrays(wide: Model, cert: EmbeddingCertificate | null): Record<string, Float64Array> {
  return { params: wide.params, ...(cert ? { "eigenvalues-before": Float64Array.from(cert.eigenvaluesBefore), "eigenvalues-after": Float64Array.from(cert.eigenvaluesAfter) } : {}) };
}

/**
 * The `--plot` figure: the Hessian eigenvalues before and after, on a signed log axis.
 * @example
 * await writeCertificateFigure("e.png", model, wide, cert, "Hessian eigenvalues before and after T^α_{1,0}");
 */
export async function writeCertificateFigure(path: string, narrow: Model, wide: Model, cert: EmbeddingCertificate, title: string): Promise<void> {
  const { eigenvalueStripFigure, writeFigure } = await import("./plot.js");
  writeFigure(
    path,
    eigenvalueStripFigure(
      [
        { label: `before ${narrow.widths.join("-")} ${fmtInertia(cert.inertiaBefore)}`, values: cert.eigenvaluesBefore },
        { label: `after ${wide.widths.join("-")} ${fmtInertia(cert.inertiaAfter)}`, values: cert.eigenvaluesAfter },
      ],
      { title },
    ),
  );
}
