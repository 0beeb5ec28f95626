import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeNpy, writeSafetensors } from "@losscape/io";
import { fixtureModel, PKG, run, tempDir } from "./run.js";

// A binary file that @losscape/io refuses is bad input (exit 2) on one line that names the file once: the readers
// name it themselves ("readNpy: file 'x.npy': …"), and the command line's "x.npy: …" is not put in front of that.

let dir = "";
beforeAll(() => {
  dir = tempDir();
  const npy = writeNpy({ shape: [3, 1], data: [1, 2, 3] });
  writeFileSync(join(dir, "x.npy"), npy.subarray(0, npy.length - 5));
  writeFileSync(join(dir, "y.npy"), writeNpy({ shape: [3, 1], data: [1, 2, 3] }));
  const st = writeSafetensors(fixtureModel("tanh131-min.json"));
  writeFileSync(join(dir, "net.safetensors"), st.subarray(0, st.length - 8));
  // numpy's np.savez(f, x=…, y=…) (stored, not compressed) with x's dtype '<f8' changed to '<f9'.
  const npz = readFileSync(join(PKG, "..", "io", "test", "fixtures", "npy", "xy_savez.npz"));
  npz[npz.indexOf("'<f8'") + 3] = "9".charCodeAt(0);
  writeFileSync(join(dir, "bad.npz"), npz);
  writeFileSync(join(dir, "d.json"), JSON.stringify({ format: "losscape.data/1", x: [[0], [1]], y: [[0], [1]] }));
});

describe("messages of the binary readers through the command line", () => {
  it("a truncated .npy names the file once, then what is wrong", async () => {
    const x = join(dir, "x.npy");
    const r = await run(["train", "--widths", "1,2,1", "--data", x, "--targets", join(dir, "y.npy"), "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`losscape train: ${x}: shape (3, 1) of '<f8' needs 24 bytes of data; found 19 (truncated)\n`);
  });

  it("a truncated .safetensors names the file once, then the tensor", async () => {
    const m = join(dir, "net.safetensors");
    const r = await run(["hessian", "--model", m, "--data", join(dir, "d.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^losscape hessian: ${m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: tensor '\\S+': data_offsets \\[\\d+, \\d+\\] must satisfy begin ≤ end ≤ \\d+ \\(the byte buffer's length\\)\\n$`));
  });

  it("a bad member of an .npz names the archive, then the member", async () => {
    const d = join(dir, "bad.npz");
    const r = await run(["train", "--widths", "3,2,1", "--data", d, "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`losscape train: ${d}: member 'x.npy': dtype '<f9' is not supported; expected one of f8 f4 f2 i1 i2 i4 i8 u1 u2 u4 u8 b1 with byte order '<', '>', '|' or '='\n`);
  });
});
