#!/usr/bin/env node
// The `losscape` command. It runs the compiled CLI (dist/bin.js); this small launcher exists so that npm can link
// the command when it installs the workspace, before anything is built (npm skips a bin whose file is missing).
import { existsSync } from "node:fs";

const cli = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("losscape: the CLI is not built yet: run `npm run build` (or `npm start`) in the repository first\n");
  process.exit(1);
}
await import(cli.href);
