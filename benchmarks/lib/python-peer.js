// A persistent /usr/bin/python3 peer of a benchmark suite (benchmarks/peers/*.py): one JSON object per line on its
// stdin, one JSON reply per line on its stdout; its first line says whether it is ready. Node only: node's modules
// are imported when the peer starts, so a suite importing this file still loads in the page.

/**
 * Start `script` (a file URL) under /usr/bin/python3 with extra environment variables. Resolves to
 * { request(obj) → reply, hello } or to { reason } when python or the script's imports are missing. A reply with an
 * `error` field rejects.
 */
export async function startPythonPeer(script, env = {}) {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const { existsSync } = await import("node:fs");
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return { reason: `${python} not found` };
  const child = spawn(python, [fileURLToPath(script)], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
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
    for (const w of waiting.splice(0)) w.reject(new Error(`the python peer ${script} exited (${code})`));
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
