// The four critical points of the tanh 1-3-1 net (50-digit reference in test/fixtures), shared by the node and
// browser tests. A JSON import (not node:fs), so it also loads in the browser project.
import { matFromRows } from "@losscape/core";
import fixture from "../../test/fixtures/tanh-1-3-1-critical-points.json" with { type: "json" };
import type { Dataset } from "../types.js";

export interface Tanh131Fixture {
  widths: number[];
  activation: "tanh";
  data: { x: number[]; y: number[] };
  critical_points: { id: string; theta: number[]; loss: number; hessian_eigenvalues: number[]; counts_neg_zero_pos: number[] }[];
}

export const fx = fixture as Tanh131Fixture;
/** The fixture's 1-D inputs and targets as n × 1 matrices. */
export const data: Dataset = { x: matFromRows(fx.data.x.map((v) => [v])), y: matFromRows(fx.data.y.map((v) => [v])) };
