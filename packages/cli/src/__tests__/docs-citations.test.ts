import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../cli.js";

// Every document the repository cites must be in the repository: the READMEs, docs/, the docs site's pages, code
// comments, changesets, the benchmark suites and the `losscape` help text cite `.md` files by path (and section),
// and each such path must exist and each section must be a heading of that file. The design documents the
// project was built from are not part of the repository and must not be cited at all.

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(HERE), "../../../..");

/** Names of documents that are not in the repository (spelled so that this file does not cite them itself). */
const FOREIGN = new RegExp(`\\b(${["DESIGN", "CONTRACT"].join("|")})\\.md\\b`);

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".turbo", "test-results", "results", "cache", "wasm", "losscape-report"]);
const EXTENSIONS = /\.(md|ts|mts|js|mjs|py|vue)$/;

/** Every text file of the repository that can cite a document (sources, tests, docs, suites, scripts). */
function repositoryFiles(dir = ROOT): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) files.push(...repositoryFiles(join(dir, e.name)));
    } else if (EXTENSIONS.test(e.name) && join(dir, e.name) !== HERE && statSync(join(dir, e.name)).size < 1 << 20) {
      files.push(join(dir, e.name));
    }
  }
  return files;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => headingSlug(m[1])));
}

export interface Citation {
  /** The path as written. */
  path: string;
  /** The section (`#anchor`), if any. */
  anchor?: string;
  /** A Markdown link (resolved against the citing file's folder) or a path in prose (repository-relative). */
  kind: "link" | "path";
  line: number;
}

/**
 * The `.md` documents a text cites: Markdown links `[…](x.md#s)` and paths with a folder written in prose or
 * comments (`docs/conventions.md#inertia`). Web addresses and site-absolute links (`/packages/core`) are not paths.
 */
export function citations(text: string): Citation[] {
  const found: Citation[] = [];
  const lines = text.split("\n");
  lines.forEach((l, i) => {
    const linked = new Set<number>();
    for (const m of l.matchAll(/\]\(([^)\s#]+\.md)(#[^)\s]*)?\)/g)) {
      linked.add(m.index! + 2);
      if (/^[a-z]+:|^\//.test(m[1])) continue;
      found.push({ path: m[1], anchor: m[2]?.slice(1), kind: "link", line: i + 1 });
    }
    for (const m of l.matchAll(/(?<![\w@./:-])((?:\.\.?\/)*(?:[\w.-]+\/)+[\w.-]+\.md)(#[\w-]+)?/g)) {
      if (linked.has(m.index!)) continue;
      found.push({ path: m[1], anchor: m[2]?.slice(1), kind: "path", line: i + 1 });
    }
  });
  return found;
}

/** The problems of the citations in `text` of file `file` (repository-relative names in the messages). */
export function unresolved(file: string, text: string): string[] {
  const where = (line: number) => `${relative(ROOT, file)}:${line}`;
  const problems: string[] = [];
  text.split("\n").forEach((l, i) => {
    if (FOREIGN.test(l)) problems.push(`${where(i + 1)}: cites a document outside the repository: ${l.trim()}`);
  });
  for (const c of citations(text)) {
    const bases = c.kind === "link" ? [dirname(file)] : [ROOT, dirname(file), packageRoot(file)];
    const target = bases.map((b) => resolve(b, c.path)).find((p) => existsSync(p));
    if (!target) {
      problems.push(`${where(c.line)}: cites ${c.path}, which is not in the repository`);
    } else if (c.anchor && !anchorsOf(target).has(c.anchor)) {
      problems.push(`${where(c.line)}: cites ${c.path}#${c.anchor}, which has no such section`);
    }
  }
  return problems;
}

/** packages/<pkg> or apps/<app> of a file (a citation in prose may be relative to its package). */
function packageRoot(file: string): string {
  const m = /^(packages|apps)\/[^/]+/.exec(relative(ROOT, file));
  return m ? join(ROOT, m[0]) : ROOT;
}

describe("citations of documents", () => {
  it("the scanner finds links, prose paths and sections, and reports what is missing", () => {
    const text = "See [formats](../../docs/formats.md#models) and docs/conventions.md#inertia.\nAlso https://x.org/a/b.md and [site](/docs/cli).";
    expect(citations(text)).toEqual([
      { path: "../../docs/formats.md", anchor: "models", kind: "link", line: 1 },
      { path: "docs/conventions.md", anchor: "inertia", kind: "path", line: 1 },
    ]);
    const readme = join(ROOT, "packages/cli/README.md");
    expect(unresolved(readme, text)).toEqual([]);
    expect(unresolved(readme, "see docs/nowhere.md and [x](../../docs/cli.md#no-such-section)")).toEqual([
      "packages/cli/README.md:1: cites ../../docs/cli.md#no-such-section, which has no such section",
      "packages/cli/README.md:1: cites docs/nowhere.md, which is not in the repository",
    ]);
    expect(unresolved(readme, ["see", "DESIGN" + ".md"].join(" "))).toHaveLength(1);
    expect(headingSlug("Random-matrix models (Pennington and Bahri)")).toBe("random-matrix-models-pennington-and-bahri");
    expect(headingSlug("`losscape hessian`")).toBe("losscape-hessian");
  });

  it("every README, docs page, comment, changeset and suite cites only documents of the repository", () => {
    const files = repositoryFiles();
    const rel = files.map((f) => relative(ROOT, f));
    // The scan covers what it must (a guard against an empty walk).
    for (const f of ["README.md", "CONTRIBUTING.md", "docs/architecture.md", "docs/conventions.md", "docs/formats.md", "docs/cli.md", "packages/core/README.md", "packages/cli/src/commands/demo.ts", "assembly/mlp.ts"]) {
      expect(rel, f).toContain(f);
    }
    const problems = files.flatMap((f) => unresolved(f, readFileSync(f, "utf8")));
    expect(problems).toEqual([]);
    // The READMEs and docs link to docs/ (so the check above has citations to check).
    const docLinks = files.flatMap((f) => citations(readFileSync(f, "utf8")).filter((c) => /(^|\/)docs\/\w+\.md$/.test(c.path)));
    expect(docLinks.length).toBeGreaterThan(20);
  });

  it("the help text of every command cites only documents that exist", () => {
    const program = buildProgram();
    // The commands, and the subcommands of a command that has them (experiment run, status, aggregate, export).
    const leaves = program.commands.flatMap((c) => (c.commands.length > 0 ? c.commands : [c]));
    const texts = [program.helpInformation(), ...program.commands.map((c) => c.helpInformation()), ...leaves.filter((c) => c.parent !== program).map((c) => c.helpInformation())];
    expect(program.commands.map((c) => c.name()).sort()).toEqual(
      ["connect", "critical", "curvature", "demo", "dimension", "embed", "experiment", "hessian", "index-energy", "lift", "reduce", "saddle", "search", "slice", "spectrum", "subspace", "train", "widen", "worker"],
    );
    expect(program.commands.find((c) => c.name() === "experiment")!.commands.map((c) => c.name())).toEqual(["run", "status", "aggregate", "export"]);
    expect(texts.length).toBe(24);
    const problems = texts.flatMap((t) => unresolved(join(ROOT, "packages/cli/README.md"), t));
    expect(problems).toEqual([]);
    // `--json` names where its records are described: the package README (in the tarball) and docs/cli.md.
    for (const c of leaves) expect(c.helpInformation()).toContain("docs/cli.md");
  });
});
