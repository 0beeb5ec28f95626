/**
 * @losscape/cli — the `losscape` command (docs/cli.md). The binary is `dist/bin.js`; this module exposes the
 * program for embedding in other tools.
 */
export { main, buildProgram, VERSION } from "./cli.js";
export { jsonOutput, toJsonSafe } from "./json.js";
