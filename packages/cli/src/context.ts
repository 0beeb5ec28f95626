import { jsonOutput } from "./json.js";

/** What every command receives: its name and the output switches shared by all commands. */
export interface Context {
  /** The command's name ("hessian", …), used in messages. */
  readonly name: string;
  /** `--json`: exactly one JSON object on stdout. */
  readonly json: boolean;
  /** `--quiet`: no progress on stderr. */
  readonly quiet: boolean;
}

/**
 * Print a command's result: with `--json` the record as one JSON object (non-finite numbers as null, named in
 * `warnings`); otherwise the human-readable text, then the warnings (if any) on stderr.
 * @example
 * emit(ctx, { loss: 0.5 }, () => "loss  0.5\n");
 */
export function emit(ctx: Context, record: Record<string, unknown>, human: () => string): void {
  if (ctx.json) {
    process.stdout.write(jsonOutput(record));
    return;
  }
  process.stdout.write(human());
  const w = record.warnings;
  if (Array.isArray(w) && w.length > 0 && !ctx.quiet) {
    for (const line of w) process.stderr.write(`losscape ${ctx.name}: warning: ${String(line)}\n`);
  }
}
