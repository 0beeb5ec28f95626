import { describe, expect, it } from "vitest";
import { isLosscapeError } from "@losscape/core";
import { canonicalJson, expandTasks, experimentId, ExperimentSpecError, parseSpec } from "./spec.js";

const base = { format: "losscape.experiment/1", task: "critical-search", params: { widths: [3, 3, 3] }, grid: { phi: [0.5, 0.75] }, runs: 2 };

/** The field an invalid spec is refused for (an ExperimentSpecError, a ValueError: exit 2 in the CLI). */
function refusedField(spec: unknown): string {
  try {
    parseSpec(typeof spec === "string" ? spec : JSON.stringify(spec));
  } catch (e) {
    expect(e).toBeInstanceOf(ExperimentSpecError);
    expect(isLosscapeError(e) && e.code).toBe("E_VALUE");
    expect((e as Error).message.startsWith(`${(e as ExperimentSpecError).field}: `)).toBe(true);
    return (e as ExperimentSpecError).field;
  }
  throw new Error("accepted");
}

describe("parseSpec", () => {
  it("expands list × grid × runs in order, params merged under them, the last axis fastest", () => {
    const spec = parseSpec({ ...base, list: [{ bias: false }, { bias: true }] });
    const tasks = expandTasks(spec);
    expect(tasks.map((t) => [t.params.bias, t.params.phi, t.params.run])).toEqual([
      [false, 0.5, 0], [false, 0.5, 1], [false, 0.75, 0], [false, 0.75, 1],
      [true, 0.5, 0], [true, 0.5, 1], [true, 0.75, 0], [true, 0.75, 1],
    ]);
    expect(tasks[0].params.widths).toEqual([3, 3, 3]);
    expect(tasks[0].key).toBe(canonicalJson(tasks[0].params));
    expect(spec.seed).toBe(0);
    expect(spec.name).toBe("experiment");
  });

  it("keys do not depend on the order fields are written in; equal tasks are one", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const spec = parseSpec({ ...base, list: [{ bias: false }, { bias: false }], runs: undefined });
    expect(expandTasks(spec)).toHaveLength(2);
  });

  it("--quick overrides params, grid and runs", () => {
    const spec = parseSpec({ ...base, quick: { grid: { phi: [0.5] }, runs: 1, params: { bias: false } } }, { quick: true });
    expect(expandTasks(spec).map((t) => t.params)).toEqual([{ widths: [3, 3, 3], bias: false, phi: 0.5, run: 0 }]);
    expect(expandTasks(parseSpec({ ...base, quick: { runs: 1 } }))).toHaveLength(4);
  });

  it("the experiment id follows the task and seed only (a bigger grid resumes the same file)", () => {
    const a = parseSpec(base);
    expect(experimentId(parseSpec({ ...base, grid: { phi: [0.25] }, runs: 9 }))).toBe(experimentId(a));
    expect(experimentId(parseSpec({ ...base, seed: 1 }))).not.toBe(experimentId(a));
  });

  it("a task module path is made absolute, relative to the spec's folder", () => {
    const spec = parseSpec({ ...base, task: { module: "tasks/t.mjs" } }, { baseDir: "/home/u/exp" });
    expect(spec.task).toEqual({ module: "/home/u/exp/tasks/t.mjs" });
  });

  it("bad specs are ExperimentSpecErrors naming the field", () => {
    expect(refusedField("{ not json")).toBe("spec");
    expect(refusedField([1])).toBe("spec");
    expect(refusedField({ ...base, format: "x" })).toBe("format");
    expect(refusedField({ ...base, tsak: 1 })).toBe("tsak");
    expect(refusedField({ ...base, task: 3 })).toBe("task");
    expect(refusedField({ ...base, task: { module: "" } })).toBe("task");
    expect(refusedField({ ...base, grid: { phi: [] } })).toBe("grid.phi");
    expect(refusedField({ ...base, grid: { phi: 0.5 } })).toBe("grid.phi");
    expect(refusedField({ ...base, grid: [0.5] })).toBe("grid");
    expect(refusedField({ ...base, grid: { run: [1] } })).toBe("grid.run");
    expect(refusedField({ ...base, list: [] })).toBe("list");
    expect(refusedField({ ...base, list: [3] })).toBe("list[0]");
    expect(refusedField({ ...base, runs: 0 })).toBe("runs");
    expect(refusedField({ ...base, seed: 0.5 })).toBe("seed");
    expect(refusedField({ ...base, name: "a b" })).toBe("name");
    expect(refusedField({ ...base, aggregate: "fig7" })).toBe("aggregate");
    expect(refusedField({ ...base, quick: { steps: 1 } })).toBe("quick.steps");
    // The quick overrides are checked without --quick too.
    expect(refusedField({ ...base, quick: { runs: "x" } })).toBe("quick.runs");
    expect(refusedField({ ...base, quick: { grid: 5 } })).toBe("quick.grid");
    expect(refusedField({ ...base, quick: { grid: { phi: [] } } })).toBe("quick.grid.phi");
    expect(refusedField({ ...base, quick: { list: [] } })).toBe("quick.list");
    expect(refusedField({ ...base, quick: { params: [1] } })).toBe("quick.params");
    expect(refusedField({ format: "losscape.experiment/1", task: "slice" })).toBe("grid");
  });
});

describe("parseSpec and readResults check their options", () => {
  it("null and an unknown key are a ValueError naming the function", async () => {
    expect(() => parseSpec(JSON.stringify(base), null as never)).toThrow(/^parseSpec: argument 'options' must be an object or undefined; found null/);
    expect(() => parseSpec(JSON.stringify(base), { basedir: "." } as never)).toThrow(/^parseSpec: unknown option 'basedir'; expected one of 'baseDir', 'quick'/);
    const { readResults } = await import("./results.js");
    expect(() => readResults("/nonexistent/r.jsonl", { fix: true } as never)).toThrow(/^readResults: unknown option 'fix'; expected one of 'repair'/);
  });
});
