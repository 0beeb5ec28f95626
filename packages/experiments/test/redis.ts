import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

/** Debian's redis-server: the queue tests need it (.ci/run installs it) and fail, not skip, without it. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

/** A free TCP port on 127.0.0.1 (the OS picks one; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something answers PONG on the port. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    let buf = "";
    const done = (ok: boolean) => {
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
 * A real redis-server on 127.0.0.1 at a free port, without persistence (`--save '' --appendonly no`), as a child
 * process: `stop()` kills it (all data lost, like a restart of such a server), `start()` starts it again on the
 * same port.
 */
export async function startRedis(): Promise<{ url: string; port: number; start(): Promise<void>; stop(): Promise<void> }> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} not found: install Debian's redis-server (apt-get install redis-server); the queue tests need a real Redis`);
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await pings(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once("exit", () => r());
      c.kill("SIGKILL");
    });
    child = null;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}
