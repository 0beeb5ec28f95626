import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, filesIn, fx, run, tempDir } from "./run.js";

// Bad input: exit status 2, exactly one line on stderr naming the file/option, the field, expected vs found;
// nothing on stdout (even with --json); never a stack trace.

let dir = "";
const bad = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = tempDir();
});

const M = () => fx("tanh131-min.json");
const D = () => fx("sin20.json");
const good10 = "[0.1,0.2,0.3,0,0,0,1,1,1,0]";

const cases: [string, () => string[], RegExp][] = [
  ["a missing model file", () => ["hessian", "--model", join(dir, "nope.json"), "--data", D()], /nope\.json: no such file \(--model\)/],
  ["a missing data file", () => ["critical", "--model", M(), "--data", join(dir, "nada.json")], /nada\.json: no such file \(--data\)/],
  ["invalid JSON", () => ["hessian", "--model", bad("trunc.json", '{"format": "losscape.mlp/1",\n "widths": [1,'), "--data", D()], /trunc\.json: not valid JSON \(the text ends too early, at line 2 \(truncated file\?\)\)/],
  ["a JSON syntax error", () => ["hessian", "--model", bad("comma.json", '{"format": "losscape.mlp/1",\n "widths": [1,3,1],,\n}'), "--data", D()], /comma\.json: not valid JSON \(.* at line 2, column \d+\)/],
  ["an empty file", () => ["hessian", "--model", bad("empty.json", ""), "--data", D()], /empty\.json: not valid JSON/],
  ["a wrong format tag", () => ["hessian", "--model", bad("tag.json", `{"format":"losscape.mlp/2","widths":[1,3,1],"activation":"tanh","params":${good10}}`), "--data", D()], /tag\.json: field 'format' must be "losscape\.mlp\/1"; found "losscape\.mlp\/2"/],
  ["a data file with a model's tag", () => ["hessian", "--model", M(), "--data", M()], /tanh131-min\.json: field 'format' must be "losscape\.data\/1"; found "losscape\.mlp\/1"/],
  ["params of the wrong length", () => ["hessian", "--model", bad("short.json", '{"format":"losscape.mlp/1","widths":[1,3,1],"activation":"tanh","params":[1,2,3]}'), "--data", D()], /short\.json: 'params' must have length 10 .*; found 3/],
  ["NaN in params (Python's json)", () => ["hessian", "--model", bad("nan.json", '{"format":"losscape.mlp/1","widths":[1,3,1],"activation":"tanh","params":[0.1,0.2,NaN,0,0,0,1,1,1,0]}'), "--data", D()], /nan\.json: field 'params\[2\]' must be a finite number; found NaN/],
  ["-Infinity in data", () => ["hessian", "--model", M(), "--data", bad("inf.json", '{"format":"losscape.data/1","x":[[1],[-Infinity]],"y":[[0],[1]]}')], /inf\.json: field 'x\[1\]\[0\]' must be a finite number; found -Infinity/],
  ["null in params", () => ["hessian", "--model", bad("null.json", '{"format":"losscape.mlp/1","widths":[1,3,1],"activation":"tanh","params":[0.1,null,0,0,0,0,1,1,1,0]}'), "--data", D()], /null\.json: field 'params\[1\]' must be a number; found null/],
  ["an unknown activation", () => ["hessian", "--model", bad("act.json", `{"format":"losscape.mlp/1","widths":[1,3,1],"activation":"swish","params":${good10}}`), "--data", D()], /act\.json: 'activation' must be one of .*; found 'swish'/],
  ["data that does not fit the model (d_in)", () => ["hessian", "--model", M(), "--data", bad("d2.json", '{"format":"losscape.data/1","x":[[1,2]],"y":[[1]]}')], /d2\.json does not fit .*tanh131-min\.json: 'data\.x' must have d_in = 1 columns/],
  ["CSV data with the wrong number of input columns", () => ["hessian", "--model", M(), "--data", bad("two.csv", "a,b,y\n0,1,2\n1,2,3\n")], /two\.csv does not fit .*: 'data\.x' must have d_in = 1 columns .*\(CSV: --inputs says how many leading columns are inputs, here 1\)/],
  ["ragged data rows", () => ["hessian", "--model", M(), "--data", bad("rag.json", '{"format":"losscape.data/1","x":[[1],[1,2]],"y":[[1],[2]]}')], /rag\.json: field 'x\[1\]' must have length 1/],
  ["a CSV cell that is not a number", () => ["hessian", "--model", M(), "--data", bad("d.csv", "x,y\n0,1\n1,abc\n")], /d\.csv: CSV line 3, column 'y' must be a number; found 'abc'/],
  ["a hex CSV cell", () => ["hessian", "--model", M(), "--data", bad("hex.csv", "x,y\n0x10,1\n1,2\n")], /hex\.csv: CSV line 2, column 'x' must be a number; found '0x10'/],
  ["JSON nested 100,000 levels deep", () => ["hessian", "--model", bad("deep.json", "[".repeat(100_000) + "]".repeat(100_000)), "--data", D()], /deep\.json: input must nest at most 64 levels deep/],
  ["an --out path where no file can be created", () => ["critical", "--model", M(), "--data", D(), "--out", "/proc/cp.json"], /\/proc\/cp\.json: cannot be written \(--out\)/],
  ["a --plot path where no file can be created", () => ["hessian", "--model", M(), "--data", D(), "--plot", "/proc/h.png"], /\/proc\/h\.png: cannot be written \(--plot\)/],
  ["a directory as the model", () => ["hessian", "--model", dir, "--data", D()], /is a directory, expected a file \(--model\)/],
  ["a missing required option", () => ["hessian", "--model", M()], /required option '--data <D>' not specified/],
  ["an unknown option", () => ["hessian", "--model", M(), "--data", D(), "--bogus"], /unknown option '--bogus'/],
  ["an unknown command", () => ["frobnicate"], /unknown command 'frobnicate'/],
  ["a negative tolerance", () => ["hessian", "--model", M(), "--data", D(), "--tol", "-1"], /option '--tol <T>' argument '-1' is invalid\. expected a finite number ≥ 0/],
  ["a tolerance that is not a number", () => ["hessian", "--model", M(), "--data", D(), "--tol", "1e-9x"], /argument '1e-9x' is invalid/],
  ["φ = 0", () => ["spectrum", "--model", "wigner", "--phi", "0", "--eps", "0.1"], /'--phi <P>' argument '0' is invalid\. expected a finite number > 0 \(φ = parameters per data-output\)/],
  ["φ < 0", () => ["spectrum", "--model", "relu", "--phi", "-2", "--eps", "0.1"], /'--phi <P>' argument '-2' is invalid/],
  ["ε < 0", () => ["spectrum", "--model", "relu", "--phi", "0.5", "--eps", "-0.1"], /'--eps <E>' argument '-0.1' is invalid\. expected a finite number ≥ 0/],
  ["an unknown spectrum model", () => ["spectrum", "--law", "cauchy", "--phi", "0.5", "--eps", "0.1"], /expected one of wigner, relu; found 'cauchy'/],
  ["--to below --from", () => ["spectrum", "--model", "wigner", "--phi", "0.5", "--eps", "0.1", "--from", "2", "--to", "1"], /--to must be greater than --from/],
  ["a --plot file with another ending", () => ["spectrum", "--model", "wigner", "--phi", "0.5", "--eps", "0.1", "--plot", join(dir, "f.pdf")], /f\.pdf: --plot must end in \.svg or \.png; found '\.pdf'/],
  ["an --out file in a missing directory", () => ["critical", "--model", M(), "--data", D(), "--out", join(dir, "no/such/x.json")], /directory .* does not exist \(--out\)/],
  ["train with an unknown activation", () => ["train", "--data", D(), "--widths", "1,3,1", "--activation", "swish"], /--widths\/--activation: 'activation' must be one of .*; found 'swish'/],
  ["train with widths that are not integers", () => ["train", "--data", D(), "--widths", "1,2.5,1"], /'--widths <w>' argument '1,2\.5,1' is invalid\. entry 2: expected an integer/],
  ["train with both --model and --widths", () => ["train", "--data", D(), "--model", M(), "--widths", "1,3,1"], /either --model or --widths/],
  ["reduce with a model of the wrong format", () => ["reduce", "--model", D()], /sin20\.json: field 'format' must be "losscape\.mlp\/1"; found "losscape\.data\/1"/],
  ["reduce with a negative tolerance", () => ["reduce", "--model", M(), "--tol", "-0.1"], /'--tol <T>' argument '-0\.1' is invalid/],
  ["slice with a one-point grid", () => ["slice", "--model", M(), "--data", D(), "--grid", "1"], /'--grid <N>' argument '1' is invalid\. expected an integer ≥ 2/],
  ["slice with range 0", () => ["slice", "--model", M(), "--data", D(), "--range", "0"], /'--range <r>' argument '0' is invalid\. expected a finite number > 0/],
  ["slice with unknown directions", () => ["slice", "--model", M(), "--data", D(), "--dirs", "pca"], /expected one of random, hessian, embedding; found 'pca'/],
  ["connect with an unknown method", () => ["connect", "--model", M(), "--model", M(), "--data", D(), "--method", "string"], /expected one of linear, chain, bezier, neb; found 'string'/],
  ["dimension with a rank tolerance ≥ 1", () => ["dimension", "--model", M(), "--data", D(), "--rank-tol", "2"], /'--rank-tol <T>' argument '2' is invalid\. expected a finite number > 0 and ≤ 1/],
  ["embed with α = NaN", () => ["embed", "--model", M(), "--layer", "1", "--neuron", "0", "--alpha", "NaN"], /'--alpha <a>' argument 'NaN' is invalid/],
  ["critical with an unknown method", () => ["critical", "--model", M(), "--data", D(), "--method", "bfgs"], /expected one of newton, gradnorm; found 'bfgs'/],
  ["train with a zero learning rate", () => ["train", "--data", D(), "--widths", "1,3,1", "--lr", "0"], /'--lr <r>' argument '0' is invalid\. expected a finite number > 0/],
  ["train with a non-finite start", () => ["train", "--data", D(), "--model", fx("overflow.json")], /overflow\.json \(--model\) on .*sin20\.json \(--data\): the loss is not finite at the model's parameters: the network's outputs overflow float64 \(R = \+∞\)/],
  ["embed with α near the largest double", () => ["embed", "--model", M(), "--layer", "1", "--neuron", "0", "--alpha", "1e308", "--data", D()], /^losscape embed: --alpha 1e\+308: the split's outgoing weights α·w and \(1 − α\)·w overflow float64/],
  ["embed whose certificate overflows", () => ["embed", "--model", fx("tanh131-near-saddle.json"), "--layer", "1", "--neuron", "0", "--alpha", "1e308", "--data", D()], /^losscape embed: --alpha 1e\+308: the embedded network's loss, gradient or Hessian overflows float64/],
  ["dimension away from a zero-loss minimum", () => ["dimension", "--model", M(), "--data", D()], /not a \(near-\)zero-loss minimum \(R ≤ --loss-tol = 1e-10\); found R = /],
  // Sized before anything is allocated (it grew past 3.6 GB before): out of memory is bad input.
  ["train with a network too large to hold", () => ["train", "--data", D(), "--widths", "1,1000000000,1"], /--widths\/--activation: the network has M = 3\.000e\+9 parameters \(22\.4 GiB per parameter vector\); at most 2\^28/],
];

const WITH_JSON = new Set([
  "a missing model file",
  "invalid JSON",
  "a wrong format tag",
  "params of the wrong length",
  "NaN in params (Python's json)",
  "an unknown activation",
  "data that does not fit the model (d_in)",
  "a missing required option",
  "φ = 0",
  "an --out file in a missing directory",
]);

describe("bad input: exit 2 and one line on stderr", () => {
  it.each(cases)("%s", async (_what, args, pattern) => {
    // Also with --json for a representative subset (the same exit status and one line, nothing on stdout);
    // every case would double the suite's child processes.
    const results = await Promise.all([run(args()), ...(WITH_JSON.has(_what) ? [run([...args(), "--json"])] : [])]);
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^losscape( \w+)?: /);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack frames
    }
  });

  it("a failed run leaves no --out file and no temporary file behind", async () => {
    const d = tempDir();
    mkdirSync(join(d, "sub"));
    const r = await run(["critical", "--model", join(d, "missing.json"), "--data", D(), "--out", join(d, "sub", "cp.json")]);
    expect(r.code).toBe(2);
    expect(filesIn(join(d, "sub"))).toEqual([]);
  });
});

describe("help and version", () => {
  it("--version prints the version, --help the commands; both exit 0", async () => {
    const v = await run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await run(["--help"]);
    expect(h.code).toBe(0);
    for (const c of ["hessian", "critical", "train", "embed", "reduce", "spectrum", "dimension", "connect", "slice", "demo"]) expect(h.stdout).toContain(c);
  });
});

describe("byte-order marks", () => {
  it("a model or data JSON file with a UTF-8 byte-order mark reads as without it", async () => {
    const d = tempDir();
    const model = join(d, "bom-model.json");
    const data = join(d, "bom-data.json");
    writeFileSync(model, "\uFEFF" + readFileSync(M(), "utf8"));
    writeFileSync(data, "\uFEFF" + readFileSync(D(), "utf8"));
    const withBom = await run(["hessian", "--model", model, "--data", data, "--json"]);
    const without = await run(["hessian", "--model", M(), "--data", D(), "--json"]);
    expect(withBom.code).toBe(0);
    expect(JSON.parse(withBom.stdout)).toEqual(JSON.parse(without.stdout));
  });
});

describe("mistyped options", () => {
  // Every command: its first option with two letters swapped is "unknown option … (Did you mean …?)", exit 2, one
  // line — also when the option it was meant to be is required (commander alone would report that one as missing).
  const TYPOS: [string, string, string][] = [
    ["hessian", "--modle", "--model"],
    ["critical", "--dtaa", "--data"],
    ["train", "--widhts", "--widths"],
    ["embed", "--lyaer", "--layer"],
    ["reduce", "--modle", "--model"],
    ["spectrum", "--lwa", "--law"],
    ["dimension", "--rnak-tol", "--rank-tol"],
    ["connect", "--mehtod", "--method"],
    ["slice", "--dris", "--dirs"],
    ["demo", "--qucik", "--quick"],
  ];
  it.each(TYPOS)("%s %s: Did you mean %s?", async (command, typo, meant) => {
    const r = await run([command, typo, "x"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toBe(`losscape ${command}: unknown option '${typo}' (Did you mean ${meant}?)`);
  });
});

describe("bare losscape", () => {
  it("prints the overview of --help on stdout and exits 0", async () => {
    const bare = await run([]);
    const help = await run(["--help"]);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toBe("");
    expect(bare.stdout).toBe(help.stdout);
    expect(bare.stdout).toMatch(/^Usage: losscape /);
  });
});

describe("the launcher bin/losscape.js", () => {
  it("before the build (no ../dist/bin.js) says what to do and exits 1, without a stack trace", () => {
    // A copy of the launcher in a package folder without dist/: exactly the state of a fresh clone after npm ci.
    const pkg = join(tempDir(), "cli");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    copyFileSync(BIN, join(pkg, "bin", "losscape.js"));
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [join(pkg, "bin", "losscape.js"), "--help"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      status = err.status;
      stderr = err.stderr;
    }
    expect(status).toBe(1);
    expect(stderr).toBe("losscape: the CLI is not built yet: run `npm run build` (or `npm start`) in the repository first\n");
  });
});
