import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { loss, paramCount } from "@losscape/mlp";
import { conform, fixtureData, fixtureModel, fx, run, runJson, SHAPES, tempDir } from "./run.js";

// dimension, connect and slice (@losscape/manifold) as child processes; values checked against invariants
// (Cooper's count, end points of paths, the centre of a slice) computed independently here.

beforeAll(async () => {
  await init();
});

describe("losscape dimension", () => {
  it("an exact fit of 1-10-1 tanh on 10 points: rank J = n, local dimension = Cooper's M − n·r = corank H = 21", async () => {
    const { out } = await runJson(["dimension", "--model", fx("tanh1-10-1-fit.json"), "--data", fx("cooper10.json")]);
    expect(conform(out, SHAPES.dimension)).toEqual([]);
    const m = fixtureModel("tanh1-10-1-fit.json");
    const M = paramCount(m);
    expect(out.paramCount).toBe(M);
    expect(out.dataCount).toBe(10);
    expect(out.outputDim).toBe(1);
    expect(out.cooperDimension).toBe(M - 10);
    expect(out.jacobianRank).toBe(10);
    expect(out.localDimension).toBe((out.paramCount as number) - (out.jacobianRank as number));
    expect(out.hessianCorank).toBe(M - 10);
    expect(out.agrees).toBe(true);
    const sv = out.jacobianSingularValues as number[];
    for (let i = 1; i < sv.length; i++) expect(sv[i]).toBeLessThanOrEqual(sv[i - 1]);
  });

  it("a point that is not a zero-loss minimum is bad input (exit 2, one line with the loss found)", async () => {
    const r = await run(["dimension", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/tanh131-min\.json: not a \(near-\)zero-loss minimum \(R ≤ --loss-tol = 1e-10\); found R = /);
  });
});

describe("losscape connect", () => {
  it("linear path between a minimum and its permuted copy: ends at the two losses, barrier = max − max(ends)", async () => {
    const { out } = await runJson(["connect", "--model", fx("tanh131-min.json"), "--model", fx("tanh131-min-permuted.json"), "--data", fx("sin20.json"), "--points", "11"]);
    expect(conform(out, SHAPES.connect)).toEqual([]);
    const path = out.path as { t: number; loss: number }[];
    expect(path).toHaveLength(11);
    expect(path[0].t).toBe(0);
    expect(path[10].t).toBe(1);
    const data = fixtureData("sin20.json");
    const la = loss(fixtureModel("tanh131-min.json"), data);
    const lb = loss(fixtureModel("tanh131-min-permuted.json"), data);
    // Permuting hidden neurons leaves the loss unchanged up to summation order (1e-12 relative).
    expect(Math.abs(la - lb)).toBeLessThanOrEqual(1e-12 * la);
    expect(Math.abs(path[0].loss - la)).toBeLessThanOrEqual(1e-12 * la);
    const max = Math.max(...path.map((p) => p.loss));
    expect(out.barrier).toBeCloseTo(max - Math.max(la, lb), 12);
    expect(out.barrier as number).toBeGreaterThan(0);
  });

  it("--method bezier never reports a higher barrier than the straight line; --plot writes the figure", async () => {
    const dir = tempDir();
    const args = ["connect", "--model", fx("tanh131-min.json"), "--model", fx("tanh131-min-permuted.json"), "--data", fx("sin20.json"), "--points", "21"];
    const lin = await runJson(args);
    const bez = await runJson([...args, "--method", "bezier", "--iterations", "50", "--plot", join(dir, "path.svg")]);
    expect(bez.out.method).toBe("bezier");
    expect(bez.out.barrier as number).toBeLessThanOrEqual((lin.out.barrier as number) * (1 + 1e-12));
    expect(readFileSync(join(dir, "path.svg"), "utf8")).toContain("<svg xmlns=");
  });

  it("needs exactly two models of the same widths", async () => {
    const one = await run(["connect", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json")]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/--model must be given exactly twice/);
    const mixed = await run(["connect", "--model", fx("tanh131-min.json"), "--model", fx("tanh1-10-1-fit.json"), "--data", fx("sin20.json")]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/must have the widths of .*\[1, 3, 1\]\); found \[1, 10, 1\]/);
  });
});

describe("losscape slice", () => {
  it.each(["random", "hessian", "embedding"])("--dirs %s: a grid × grid slice whose centre is the model's loss", async (dirs) => {
    const { out } = await runJson(["slice", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--dirs", dirs, "--grid", "9", "--range", "0.5"]);
    expect(conform(out, SHAPES.slice)).toEqual([]);
    expect(out.dirs).toBe(dirs);
    const grid = out.grid as number[][];
    const axes = out.axes as number[][];
    expect(grid).toHaveLength(9);
    grid.forEach((row) => expect(row).toHaveLength(9));
    expect(axes[0][0]).toBe(-0.5);
    expect(axes[0][8]).toBe(0.5);
    const data = fixtureData("sin20.json");
    const l0 = loss(fixtureModel("tanh131-min.json"), data);
    // The centre (0, 0) is θ itself (an embedding preserves the loss): equal to 1e-9 relative (the plane evaluator
    // accumulates the tanh recurrence's rounding, ≤ ~100 ulp per row, on a loss of 1e-6 next to O(1) terms).
    expect(Math.abs(grid[4][4] - l0)).toBeLessThanOrEqual(1e-9 * Math.max(l0, 1e-3));
    // At a strict minimum every other grid point is higher.
    if (dirs !== "embedding") grid.forEach((row, i) => row.forEach((v, j) => (i !== 4 || j !== 4) && expect(v).toBeGreaterThan(l0)));
  });

  it("--dirs embedding: the loss is constant along the embedding line (the first axis)", async () => {
    const { out } = await runJson(["slice", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json"), "--dirs", "embedding", "--grid", "7"]);
    const grid = out.grid as number[][];
    const line = grid.map((row) => row[3]); // b = 0
    // Output-preserving along the whole line: equal to 1e-12 relative.
    line.forEach((v) => expect(Math.abs(v - line[3])).toBeLessThanOrEqual(1e-12 * line[3]));
    expect(out.widths).toEqual([1, 4, 1]);
  });

  it("--plot out.png writes a PNG", async () => {
    const dir = tempDir();
    const r = await run(["slice", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--grid", "11", "--plot", join(dir, "s.png")]);
    expect(r.code).toBe(0);
    expect([...readFileSync(join(dir, "s.png")).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
