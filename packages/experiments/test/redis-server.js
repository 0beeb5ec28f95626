// A real redis-server for the queue tests and the experiments benchmark (a plain ES module: the benchmark runs it
// too). Debian's redis-server is required: without it startRedis throws, so the tests fail rather than skip.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

/** Debian's redis-server (.ci/run installs it), or $REDIS_SERVER. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

/** A free TCP port on 127.0.0.1 (the OS picks one; closed again before use). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Whether something answers PONG on the port. */
function pings(port) {
  return new Promise((resolve) => {
    const sock = new Socket();
    let buf = "";
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on("error", () => done(false));
    sock.on("data", (d) => {
      buf += d.toString();
      if (buf.includes("PONG")) done(true);
    });
    sock.connect(port, "127.0.0.1", () => sock.write("PING\r\n"));
  });
}

/**
 * A redis-server on 127.0.0.1 at a free port without persistence (`--save '' --appendonly no`), as a child process.
 * `stop()` kills it (its data lost, as when such a server restarts), `start()` starts it again on the same port,
 * `kill()` kills it synchronously (for process exit handlers).
 */
export async function startRedis() {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} not found: install Debian's redis-server (apt-get install redis-server); the queue tests need a real Redis`);
  }
  const port = await freePort();
  let child = null;
  const start = async () => {
    child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    // Not what keeps node alive: the owner stops it (stop, or kill in an exit handler).
    child.unref();
    for (let i = 0; i < 100; i++) {
      if (await pings(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise((r) => {
      c.once("exit", () => r());
      c.kill("SIGKILL");
    });
    child = null;
  };
  const kill = () => child?.kill("SIGKILL");
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, kill };
}
