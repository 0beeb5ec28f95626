// A persistent /usr/bin/python3 peer of a suite (benchmarks/peers/<script>): one subprocess per script (and
// environment), started on first use, one JSON request per line on its stdin and one JSON reply per line on its
// stdout, on ONE thread (the BLAS thread pools are pinned to 1). Imported by suites, its node: modules are loaded on
// first use, so the page can still load a suite that uses it: there the peer is reached through the bench runner
// (startThroughRunner).

const peers = new Map();
/** The started subprocesses, so that `stopPythonPeers` can end them. */
const children = new Set();

/**
 * The peer running `benchmarks/peers/<script>`: resolves to { request, hello } (`request(obj)` sends one request and
 * resolves to its reply, or rejects with a reply's `error` field; `hello` is the script's first line, `{ ready: true, … }`), or to { reason } when it cannot
 * run here (no node, no /usr/bin/python3, or the script's imports failed). `env` changes its environment: a string
 * sets a variable, null removes it. One subprocess per script and `env`, so two peers of one script with different
 * environments run side by side.
 */
export function startPythonPeer(script, { env = {} } = {}) {
  const key = `${script} ${JSON.stringify(env)}`;
  if (!peers.has(key)) peers.set(key, start(script, env));
  return peers.get(key);
}

async function start(script, envChanges) {
  if (typeof process === "undefined" || !process.versions?.node) return startThroughRunner(script, envChanges);
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const { existsSync } = await import("node:fs");
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return { reason: `${python} not found` };
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  for (const [name, value] of Object.entries(envChanges)) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  const child = spawn(python, [fileURLToPath(new URL(`../peers/${script}`, import.meta.url))], { stdio: ["pipe", "pipe", "inherit"], env });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let buffered = "";
  const waiting = [];
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.resolve(JSON.parse(line));
    }
  });
  child.on("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the peer ${script} exited (${code})`));
  });
  child.on("error", (e) => {
    for (const w of waiting.splice(0)) w.reject(e);
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const hello = await next().catch((e) => ({ ready: false, reason: String(e?.message ?? e) }));
  if (!hello.ready) return { reason: hello.reason };
  const request = async (obj) => {
    const reply = next();
    child.stdin.write(JSON.stringify(obj) + "\n");
    const r = await reply;
    if (r.error) throw new Error(r.error);
    return r;
  };
  return { request, hello };
}

/**
 * In a page: the peer started by the bench runner (benchmarks/run.js), which exposes `pythonPeerStart` and
 * `pythonPeerRequest` to the page and runs the same subprocess as the node run. A request made here also crosses
 * the DevTools protocol: its round trip is part of the time measured around it.
 */
async function startThroughRunner(script, env) {
  const { pythonPeerStart, pythonPeerRequest } = globalThis;
  if (typeof pythonPeerStart !== "function") return { reason: "a Python peer runs in node, or in a page opened by benchmarks/run.js" };
  const r = await pythonPeerStart(script, env);
  if (r.reason) return { reason: r.reason };
  return { request: (obj) => pythonPeerRequest(script, env, obj), hello: r.hello };
}

/**
 * End every peer started in this process: their stdin is closed, so each script's request loop ends and the process
 * exits (a running peer would keep node's event loop alive after the last suite). Later `startPythonPeer` calls start
 * new ones.
 */
export function stopPythonPeers() {
  for (const child of children) child.stdin.end();
  peers.clear();
}

/**
 * A fresh temporary directory (named from `prefix`) holding x.f64, y.f64 and params.f64: the data and θ a peer's
 * "prepare" reads (benchmarks/peers/torch_curvature.py), as raw float64. Node only.
 */
export async function writePeerInputs(prefix, data, params) {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(join(dir, "x.f64"), bytes(data.x.data));
  writeFileSync(join(dir, "y.f64"), bytes(data.y.data));
  writeFileSync(join(dir, "params.f64"), bytes(params));
  return dir;
}
