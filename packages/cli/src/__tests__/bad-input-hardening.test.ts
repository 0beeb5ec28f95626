import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fx, run, tempDir } from "./run.js";

// Bad input found by probing every command (docs/cli.md#exit-status): exit 2 and one line on stderr naming the
// flag or file, before the work starts (each case used to hang, exit 1, pass NaN on, or ignore the option).

let dir = "";
const M = () => fx("tanh131-min.json");
const D = () => fx("sin20.json");
const spec = (name: string, fields: Record<string, unknown>) => {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ format: "losscape.experiment/1", name, task: "hessian-spectrum", params: { widths: [1, 2, 1], activation: "tanh", bias: true, samples: 5 }, seed: 0, ...fields }));
  return p;
};

beforeAll(() => {
  dir = tempDir();
  mkdirSync(join(dir, "adir"));
  writeFileSync(join(dir, "garbage.onnx"), Buffer.from([0x67, 0x61, 0x72, 0x62, 0x00, 0x01]));
});

const cases: [string, () => string[], RegExp][] = [
  // sizes beyond memory: refused when parsed, not after minutes of work
  ["widen --to a net of 3e8 parameters", () => ["widen", "--model", M(), "--to", "1,100000000,1"], /--to 1,100000000,1: the network has M = 3\.000e\+8 parameters/],
  ["widen --data whose certificate needs a 27 GiB Hessian", () => ["widen", "--model", M(), "--to", "1,20000,1", "--data", D()], /--to 1,20000,1: the certificate \(--data\) takes the wide net's dense Hessian/],
  ["spectrum --grid 3e9", () => ["spectrum", "--law", "wigner", "--phi", "0.5", "--eps", "0.1", "--grid", "3e9"], /'--grid <N>' argument '3e9' is invalid\. expected an integer ≥ 2 and ≤ 8388608/],
  ["spectrum --sample 100000 (an 80 GB matrix)", () => ["spectrum", "--law", "wigner", "--phi", "0.5", "--eps", "0.1", "--sample", "100000", "--plot", join(dir, "s.svg")], /'--sample <N>' argument '100000' is invalid\. expected an integer ≥ 0 and ≤ 16384/],
  ["curvature --bins 3e9", () => ["curvature", "--model", M(), "--data", D(), "--density", "--bins", "3e9"], /'--bins <N>' argument '3e9' is invalid/],
  ["connect --points 1e9", () => ["connect", "--model", M(), "--model", M(), "--data", D(), "--points", "1e9"], /'--points <N>' argument '1e9' is invalid/],
  ["slice --grid 20000", () => ["slice", "--model", M(), "--data", D(), "--grid", "20000"], /'--grid <N>' argument '20000' is invalid\. expected an integer ≥ 2 and ≤ 16384/],
  ["subspace --samples 1e9", () => ["subspace", "--model", M(), "--copies", "1:0", "--data", D(), "--samples", "1e9"], /'--samples <N>' argument '1e9' is invalid/],
  ["experiment run --workers 1e9", () => ["experiment", "run", spec("w", { runs: 1 }), "--workers", "1e9"], /'--workers <N>' argument '1e9' is invalid\. expected an integer ≥ 1 and ≤ 1024/],
  ["worker --workers 5000", () => ["worker", "--redis", "redis://127.0.0.1:1", "--workers", "5000"], /'--workers <N>' argument '5000' is invalid/],
  ["a spec of 1e12 tasks", () => ["experiment", "run", spec("huge", { runs: 1e12 }), "--out", join(dir, "huge.jsonl")], /huge\.json: runs × grid × list = 1\.000e\+12 tasks; at most 4194304/],
  ["index-energy --phi 1e-300 (1e301 samples)", () => ["index-energy", "--widths", "4,4,4", "--phi", "1e-300", "--runs", "1"], /--phi 1e-300: gives m = round\(M\/\(φ·d_out\)\) = 1\.000e\+301 Gaussian samples/],
  ["index-energy on a net too large for its spectra", () => ["index-energy", "--widths", "1000,1000,1000", "--phi", "0.5", "--runs", "1"], /--widths 1000,1000,1000: the index needs each end point's Hessian spectrum/],
  // steps kept one history or trace row each: 1e12 ran until the heap was exhausted
  ["train --epochs 1e12", () => ["train", "--data", D(), "--widths", "1,3,1", "--epochs", "1e12"], /'--epochs <k>' argument '1e12' is invalid\. expected an integer ≥ 0 and ≤ 16777216 \(2\^24: /],
  ["critical --max-iter 1e12", () => ["critical", "--model", M(), "--data", D(), "--max-iter", "1e12"], /'--max-iter <k>' argument '1e12' is invalid\. expected an integer ≥ 0 and ≤ 16777216/],
  ["index-energy --steps 0,1e12", () => ["index-energy", "--widths", "4,4,4", "--runs", "1", "--steps", "0,1e12"], /'--steps <list>' argument '0,1e12' is invalid\. entry 2: expected an integer ≥ 0 and ≤ 16777216/],
  ["index-energy --max-iter 1e12", () => ["index-energy", "--widths", "4,4,4", "--runs", "1", "--max-iter", "1e12"], /'--max-iter <k>' argument '1e12' is invalid/],
  ["an integer beyond 2^53", () => ["train", "--data", D(), "--widths", "1,3,1", "--seed", "1e300"], /'--seed <s>' argument '1e300' is invalid\. expected an integer, at most 2\^53 − 1/],
  // messages that name the flag or the file
  ["index-energy data of the wrong shape", () => ["index-energy", "--widths", "4,4,4", "--runs", "1", "--data", D()], /sin20\.json does not fit --widths 4,4,4: expected d_in = 4 input and d_out = 4 output columns; found 1 and 1/],
  ["index-energy --phi that the data set contradicts", () => ["index-energy", "--widths", "1,4,1", "--phi", "0.7", "--runs", "1", "--data", D()], /--phi 0\.7 \(--data .*sin20\.json\): 'phi\[0\]' = 0\.7 does not match the data set: m = 20 samples give φ = M\/\(m·d_out\) = 0\.65/],
  ["lift --new-activation leaky-relu:abc", () => ["lift", "--model", M(), "--data", D(), "--layer", "1", "--new-activation", "leaky-relu:abc"], /--new-activation: leaky-relu slope must be a finite number; found 'abc'/],
  ["lift --new-activation swish", () => ["lift", "--model", M(), "--data", D(), "--layer", "1", "--new-activation", "swish"], /--new-activation swish: expected linear, relu or leaky-relu:<slope>/],
  ["lift of a tanh net without --new-activation", () => ["lift", "--model", M(), "--data", D(), "--layer", "0"], /--new-activation \(not given: the model's activation\): activation 'tanh' is affine on no interval/],
  ["lift --margin 1e308", () => ["lift", "--model", M(), "--data", D(), "--layer", "1", "--new-activation", "relu", "--margin", "1e308"], /--scale 1 --margin 1e\+308: the lifted network's weights .* overflow float64/],
  ["lift --scale 1e308", () => ["lift", "--model", M(), "--data", D(), "--layer", "1", "--new-activation", "relu", "--scale", "1e308"], /--scale 1e\+308 --margin 1: the lifted network's loss, gradient or Hessian overflows float64/],
  ["slice --grid 3000 --json (a 9e6-loss record)", () => ["slice", "--model", M(), "--data", D(), "--grid", "3000", "--json"], /--grid 3000 with --json: the record would list 3000² = 9000000 losses; at most 8388608/],
  ["slice --range 1e308", () => ["slice", "--model", M(), "--data", D(), "--range", "1e308"], /--range 1e\+308: the slice's width 2·range overflows float64/],
  ["spectrum --from -1e308 --to 1e308", () => ["spectrum", "--law", "wigner", "--phi", "0.5", "--eps", "0.1", "--from", "-1e308", "--to", "1e308"], /--from -1e\+308 --to 1e\+308: the grid's width --to − --from overflows float64/],
  ["a corrupt ONNX file, named once", () => ["hessian", "--model", join(dir, "garbage.onnx"), "--data", D()], /^losscape hessian: [^ ]*garbage\.onnx: not a readable ONNX model/],
  ["train --snapshots naming a file", () => ["train", "--data", D(), "--widths", "1,3,1", "--snapshot-every", "2", "--snapshots", M()], /tanh131-min\.json: is a file, expected a directory \(--snapshots\)/],
  // directories given as files (EISDIR was an internal error, exit 1)
  ["experiment run with a directory as the spec", () => ["experiment", "run", join(dir, "adir")], /adir: is a directory, expected a file \(the experiment spec\)/],
  ["experiment aggregate with a directory", () => ["experiment", "aggregate", join(dir, "adir")], /adir: is a directory, expected a file \(the results file\)/],
  ["experiment export with a directory", () => ["experiment", "export", join(dir, "adir"), "--csv", join(dir, "x.csv")], /adir: is a directory, expected a file \(the results file\)/],
  ["experiment status --out a directory", () => ["experiment", "status", spec("st", { runs: 1 }), "--out", join(dir, "adir")], /adir: is a directory, expected a file \(--out\)/],
  // output places checked before the work (demo's recursive mkdir never returned on /proc)
  ["demo --out under /proc", () => ["demo", "--quick", "--out", "/proc/losscape-report"], /\/proc\/losscape-report: cannot be created \(--out\)/],
  // options that would do nothing are refused, not ignored
  ["--inputs for JSON data", () => ["hessian", "--model", M(), "--data", D(), "--inputs", "5"], /sin20\.json: --inputs 5 is for CSV data/],
  ["--inputs without --data", () => ["embed", "--model", M(), "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--inputs", "2"], /--inputs says how the --data file is read; found --inputs without --data/],
  ["--labels without --data", () => ["reduce", "--model", M(), "--labels"], /--labels says how the --data file is read/],
  ["train --init with --model", () => ["train", "--data", D(), "--model", M(), "--init", "he", "--epochs", "2"], /--init he initialises a fresh --widths network/],
  ["lift --starts without --kind strict-saddle", () => ["lift", "--model", M(), "--data", D(), "--layer", "1", "--new-activation", "relu", "--starts", "5"], /--starts sets the search of --kind strict-saddle; found --kind affine/],
  ["train --seed with --model on the full batch", () => ["train", "--data", D(), "--model", M(), "--seed", "3", "--epochs", "2"], /--seed 3 seeds the initialisation of --widths and the minibatch shuffle; with --model on the full batch it does nothing/],
  ["curvature --bins without --density", () => ["curvature", "--model", M(), "--data", D(), "--bins", "50"], /--bins 50 sets the grid of the density; found --bins without --density or --plot/],
  ["spectrum --sample and --seed without --plot", () => ["spectrum", "--law", "wigner", "--phi", "0.5", "--eps", "0.1", "--sample", "100", "--seed", "2"], /--sample and --seed set the sampled matrix of --plot; found no --plot/],
];

describe("bad input found by probing: exit 2, one line, before the work", () => {
  it.each(cases)("%s", async (_what, args, pattern) => {
    const r = await run(args(), { timeout: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^losscape( [\w-]+)*: /);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
  });

  it("experiment run checks --redis even when no task is left to run", async () => {
    const s = spec("done", { runs: 1 });
    const out = join(dir, "done.jsonl");
    expect((await run(["experiment", "run", s, "--out", out, "--workers", "1", "--quiet"])).code).toBe(0);
    const r = await run(["experiment", "run", s, "--out", out, "--redis", "http://x"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("losscape experiment run: --redis: expected a URL redis://host:port[/db]; found http://x");
  });

  it("bare `losscape experiment` prints its overview on stdout and exits 0, like bare `losscape`", async () => {
    const r = await run(["experiment"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: losscape experiment /);
    for (const c of ["run", "status", "aggregate", "export"]) expect(r.stdout).toContain(c);
  });
});
