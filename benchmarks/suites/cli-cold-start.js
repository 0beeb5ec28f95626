// Whole-process cold start of the command line (node only): `losscape hessian` on the tanh 1-3-1 model (M = 10
// parameters, n = 20 points), a fresh node process per run, against a bare `node -e 0`. Everything a short command
// pays before its answer is in the first: loading the modules it imports, compiling the WASM core, reading the
// files. The ratio is the measure; absolute times follow the machine.

const FIXTURES = "../../packages/cli/test/fixtures/";

export default {
  name: "cli-cold-start",
  title: "Cold start: `losscape hessian` (M = 10) against `node -e 0`, whole process",
  env: "node",
  main: "node -e 0",
  peers: ["losscape hessian"],
  notes: [
    "Each run spawns a fresh node process (spawnSync): node packages/cli/bin/losscape.js hessian --model tanh131-min.json --data sin20.json --quiet, or node -e 0.",
    "Node only: the suite times processes. Target: losscape hessian ≤ 2.5× node -e 0 (median).",
  ],
  cases: [
    {
      name: "hessian tanh 1-3-1",
      params: { M: 10, n: 20 },
      warmup: 2,
      reps: 15,
      async setup() {
        // node: modules are imported here, not at the top, so the page can load this file and skip the suite.
        const { spawnSync } = await import("node:child_process");
        const { fileURLToPath } = await import("node:url");
        const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
        const node = (args) => {
          const r = spawnSync(process.execPath, args, { encoding: "utf8" });
          if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
          return r.stdout;
        };
        const hessian = [path("../../packages/cli/bin/losscape.js"), "hessian", "--model", path(`${FIXTURES}tanh131-min.json`),
          "--data", path(`${FIXTURES}sin20.json`), "--quiet"];
        return { node, hessian };
      },
      impls: {
        "node -e 0": { run: ({ node }) => node(["-e", "0"]) },
        "losscape hessian": { run: ({ node, hessian }) => node(hessian) },
      },
    },
  ],
  targets: [{ kind: "ratio", case: "hessian tanh 1-3-1", impl: "losscape hessian", peer: "node -e 0", max: 2.5, env: "node" }],
};
