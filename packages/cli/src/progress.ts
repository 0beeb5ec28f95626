/**
 * Progress on stderr (docs/cli.md#output-rules): a bar redrawn in place when stderr is a TTY; otherwise (a log file, a
 * pipe, a batch job's output) one plain line every LOG_INTERVAL_MS while the work runs, none for work done sooner;
 * nothing with `--quiet`. Never writes to stdout.
 */
export interface Progress {
  /** Set how much is done (of `total`) and an optional note shown after the bar. */
  update(done: number, note?: string): void;
  /** Clear the bar. */
  end(): void;
}

const NOOP: Progress = { update() {}, end() {} };

/** Milliseconds between progress lines when stderr is not a terminal (the first one this long after the start). */
export const LOG_INTERVAL_MS = 30_000;

/**
 * Whether bars are drawn: stderr is a TTY and not `--quiet`.
 * @example
 * progressEnabled(false); // true when stderr is a terminal
 */
export function progressEnabled(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true;
}

/**
 * Progress for a stderr that is not a terminal: "label 12/40 note" (or "label … note" without a total) as a line of its
 * own, at most one per LOG_INTERVAL_MS, the first LOG_INTERVAL_MS after the start; `end` writes nothing.
 */
function logLines(label: string, total: number | null): Progress {
  let last = Date.now();
  return {
    update(done, note = "") {
      const now = Date.now();
      if (now - last < LOG_INTERVAL_MS) return;
      last = now;
      const count = total === null ? " …" : total > 0 ? ` ${Math.min(done, total)}/${total}` : "";
      process.stderr.write(`${label}${count}${note ? " " + note : ""}\n`);
    },
    end() {},
  };
}

/**
 * A progress bar "label [██████······] 12/40 note" on stderr, redrawn at most 20 times a second; on a stderr that is
 * not a terminal, a line "label 12/40 note" every LOG_INTERVAL_MS.
 * @example
 * const p = progress("training", 1000, quiet); p.update(10, "loss 0.3"); p.end();
 */
export function progress(label: string, total: number, quiet: boolean): Progress {
  if (quiet) return NOOP;
  if (!progressEnabled(quiet)) return logLines(label, total);
  const err = process.stderr;
  let last = 0;
  let drawn = false;
  const draw = (done: number, note: string) => {
    // A pseudo-terminal without a size (util-linux `script`, some CI runners and editor shells) reports 0 columns:
    // 80 then, as when the width is unknown (0 would cut every line short by its last character).
    const cols = err.columns || 80;
    const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    const count = total > 0 ? ` ${Math.min(done, total)}/${total}` : "";
    const barW = Math.max(10, Math.min(30, cols - label.length - count.length - note.length - 6));
    const fill = Math.round(frac * barW);
    let s = `${label} [${"█".repeat(fill)}${"·".repeat(barW - fill)}]${count}${note ? " " + note : ""}`;
    if ([...s].length > cols - 1) s = [...s].slice(0, cols - 1).join("");
    err.write(`\r\x1b[2K${s}`);
    drawn = true;
  };
  return {
    update(done, note = "") {
      const now = Date.now();
      if (now - last < 50 && done < total) return;
      last = now;
      draw(done, note);
    },
    end() {
      if (drawn) err.write("\r\x1b[2K");
      drawn = false;
    },
  };
}

/**
 * A one-line status ("label …") on a TTY for steps without a measurable fraction, cleared by `end`; on a stderr that
 * is not a terminal, a line "label … note" every LOG_INTERVAL_MS while `update` is called.
 * @example
 * const s = status("refining", quiet); s.end();
 */
export function status(label: string, quiet: boolean): Progress {
  if (quiet) return NOOP;
  if (!progressEnabled(quiet)) return logLines(label, null);
  process.stderr.write(`\r\x1b[2K${label} …`);
  return {
    update(_done, note = "") {
      process.stderr.write(`\r\x1b[2K${label} … ${note}`);
    },
    end() {
      process.stderr.write("\r\x1b[2K");
    },
  };
}
