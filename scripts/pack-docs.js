#!/usr/bin/env node
// npm pack / publish of a package under packages/: the repository's docs/ ship inside the tarball.
//   prepack:  copy the repository's docs/ pages (and docs/figures/) into the package's docs/, and every other repository file the
//             README links to (a link that climbs two levels to the repository root) into docs/ by its name; point
//             those links at the copies; the repository's README is kept aside as .README.md.repo.
//   postpack: put the README back and remove the copies.
// So every document a README or a doc comment of dist/ cites exists in the tarball too.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const step = process.argv[2];
const pkg = process.cwd();
const docs = resolve(pkg, "../../docs");
const target = join(pkg, "docs");
const readme = join(pkg, "README.md");
const kept = join(pkg, ".README.md.repo");

if (step === "prepack") {
  if (!existsSync(docs)) {
    console.error(`pack-docs: ${docs} not found (run npm pack from packages/<name> in the repository)`);
    process.exit(1);
  }
  if (!existsSync(kept)) renameSync(readme, kept);
  mkdirSync(target, { recursive: true });
  for (const f of readdirSync(docs)) if (f.endsWith(".md")) copyFileSync(join(docs, f), join(target, f));
  // The figures the pages show (docs/figures/), so the pages' images resolve in the tarball too.
  if (existsSync(join(docs, "figures"))) cpSync(join(docs, "figures"), join(target, "figures"), { recursive: true });
  const text = readFileSync(kept, "utf8").replace(/\]\(\.\.\/\.\.\/([^)#\s]+)/g, (_, path) => {
    const name = basename(path);
    if (!path.startsWith("docs/")) copyFileSync(resolve(pkg, "../..", path), join(target, name));
    return `](docs/${name}`;
  });
  writeFileSync(readme, text);
} else if (step === "postpack") {
  if (existsSync(kept)) renameSync(kept, readme);
  rmSync(target, { recursive: true, force: true });
} else {
  console.error("usage: node scripts/pack-docs.js prepack|postpack (from a package directory)");
  process.exit(2);
}
