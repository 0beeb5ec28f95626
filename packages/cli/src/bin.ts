#!/usr/bin/env node
import { main } from "./cli.js";

// Broken pipes (`losscape … | head`) end the output quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
});
const fail = (e: unknown) => {
  process.stderr.write(`losscape: internal error: ${e instanceof Error ? e.message : String(e)}\n`.replace(/\n(?!$)/g, " "));
  process.exit(1);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

process.exitCode = await main(process.argv);
