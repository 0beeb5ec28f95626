import { describe, expect, it } from "vitest";
import { errorOf } from "./__tests__/helpers.js";
import { readSafetensors } from "./safetensors.js";

/** A safetensors file of F64 tensors {name: shape}, in the order given, with zero values. */
function st(tensors: Record<string, number[]>): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = 8 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: "F64", shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

// The state_dict of a custom nn.Module with named layers: self.fc1, self.fc2 and self.out, all nn.Linear.
const named = { "fc1.weight": [5, 4], "fc1.bias": [5], "fc2.weight": [6, 5], "fc2.bias": [6], "out.weight": [3, 6], "out.bias": [3] };

describe("readSafetensors: Linear layers whose names give no order", () => {
  it("refuses a layer named without an index ('out.weight'), saying that is why (not that it is no Linear layer)", () => {
    const e = errorOf(() => readSafetensors(st(named), { file: "net.safetensors", spec: { activation: "tanh" } }));
    expect(e.code).toBe("E_FORMAT");
    expect(e.message).toBe(
      "readSafetensors: file 'net.safetensors': tensors 'out.weight', 'out.bias' have no layer index in their names; " +
        "the layers are put in order by the number in their names ('0.weight', 'net.2.weight', 'fc1.weight', …): " +
        "rename them (e.g. fc1, fc2, fc3) or save an nn.Sequential",
    );
  });

  it("still refuses tensors that are no Linear layer's (BatchNorm's running statistics) as before", () => {
    const e = errorOf(() => readSafetensors(st({ "0.weight": [2, 2], "0.bias": [2], "1.running_mean": [2] }), { spec: { activation: "tanh" } }));
    expect(e.message).toMatch(/^readSafetensors: tensor '1\.running_mean' is not the weight or bias of a Linear layer/);
  });

  it("reads fc1, fc2, fc3 in the order of their numbers", () => {
    const m = readSafetensors(st({ "fc2.weight": [6, 5], "fc2.bias": [6], "fc1.weight": [5, 4], "fc1.bias": [5], "fc3.weight": [3, 6], "fc3.bias": [3] }), { spec: { activation: "tanh" } });
    expect(m.widths).toEqual([4, 5, 6, 3]);
  });
});
