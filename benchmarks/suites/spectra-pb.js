// Pennington–Bahri spectra (@losscape/spectra): density on 1,000 points, the index α at one (φ, ε), ε_c at one φ,
// and the α heat map on a 100 × 100 (φ, ε) grid (target: < 1 s in node and in the browser, so the docs can redraw
// it live). Peer for α: Gauss–Legendre quadrature of the density (64 nodes in θ, λ = a + (b − a)(1 − cos θ)/2),
// the way the brief suggested — losscape instead evaluates the exact antiderivative −Im[λG − Φ(G)]/π.
import {
  criticalEnergy,
  gaussLegendre,
  penningtonBahri,
  penningtonBahriMeasure,
} from "@losscape/spectra";

// Reference values (30-digit computation, shared/reference/spectra-public.json; also in the package's fixtures).
const REF_ALPHA = { wigner: 0.053980480780651416, relu: 0.20809920937841356 }; // φ = 0.25 / 1.5, ε = 0.1
const REF_EPSC = { wigner: 0.043509526419164495, relu: 0.6274169979695208 }; // φ = 0.25
const PHI = { wigner: 0.25, relu: 1.5 };

function quadratureIndex(model, phi, eps) {
  const mu = penningtonBahriMeasure(model, phi, eps);
  const [x, w] = gaussLegendre(64);
  let s = 0;
  for (const [a, b0] of mu.support().intervals) {
    if (a >= 0) continue;
    const b = Math.min(b0, 0);
    for (let i = 0; i < x.length; i++) {
      const t = (Math.PI * (x[i] + 1)) / 2;
      const lam = a + ((b - a) * (1 - Math.cos(t))) / 2;
      s += (w[i] * Math.PI) / 2 * mu.density(lam) * ((b - a) / 2) * Math.sin(t);
    }
  }
  return s;
}

function heatMap(model) {
  const out = new Float64Array(100 * 100);
  for (let i = 0; i < 100; i++) {
    const phi = 0.02 + (2.98 * i) / 99;
    for (let j = 0; j < 100; j++) {
      const eps = 0.001 + (0.999 * j) / 99;
      out[i * 100 + j] = penningtonBahriMeasure(model, phi, eps).massBelow(0);
    }
  }
  return out;
}

const cases = [];
for (const model of ["wigner", "relu"]) {
  cases.push({
    name: `${model} density 1000 points`,
    params: { model, phi: 0.5, eps: 0.1, points: 1000 },
    warmup: 2,
    reps: 9,
    setup: () => {
      const r = penningtonBahri({ model, phi: 0.5, eps: 0.1 });
      const [a, b] = [r.support[0][0] - 0.2, r.support[r.support.length - 1][1] + 0.2];
      return { r, pts: Float64Array.from({ length: 1000 }, (_, i) => a + ((b - a) * i) / 999) };
    },
    impls: { losscape: { run: ({ r, pts }) => r.densityOn(pts) } },
  });
  cases.push({
    name: `${model} index one point`,
    params: { model, phi: PHI[model], eps: 0.1 },
    warmup: 20,
    reps: 15,
    inner: 50,
    setup: () => ({}),
    impls: {
      losscape: { run: () => penningtonBahriMeasure(model, PHI[model], 0.1).massBelow(0) },
      "GL-64 quadrature": { run: () => quadratureIndex(model, PHI[model], 0.1) },
    },
    accuracy: (_ctx, out) => ({ absErr: Math.abs(out - REF_ALPHA[model]) }),
  });
  cases.push({
    name: `${model} epsC one phi`,
    params: { model, phi: 0.25 },
    warmup: 3,
    reps: 15,
    inner: 5,
    setup: () => ({}),
    impls: { losscape: { run: () => criticalEnergy(model, 0.25) } },
    accuracy: (_ctx, out) => ({ absErr: Math.abs(out - REF_EPSC[model]) }),
  });
  cases.push({
    name: `${model} index heat map 100x100`,
    params: { model, grid: "phi 0.02..3 × eps 0.001..1, 100 × 100" },
    warmup: 1,
    reps: 5,
    setup: () => ({}),
    impls: { losscape: { run: () => heatMap(model) } },
  });
}

export default {
  name: "spectra-pb",
  title: "Pennington–Bahri spectra: density, index α, ε_c, α heat map",
  main: "losscape",
  peers: ["GL-64 quadrature"],
  notes: [
    "Target: the 100 × 100 α heat map in under 1 s (1000 ms) in node and in the browser.",
    "α is exact to rounding (antiderivative); the GL-64 peer is accurate to ~1e-9 only where the integrand is smooth in θ.",
  ],
  cases,
  targets: [
    { kind: "accuracy", case: "wigner index one point", impl: "losscape", metric: "absErr", max: 1e-10 },
    { kind: "accuracy", case: "relu index one point", impl: "losscape", metric: "absErr", max: 1e-10 },
    { kind: "accuracy", case: "wigner epsC one phi", impl: "losscape", metric: "absErr", max: 1e-10 },
    { kind: "accuracy", case: "relu epsC one phi", impl: "losscape", metric: "absErr", max: 1e-10 },
    { kind: "time", case: "wigner index heat map 100x100", impl: "losscape", maxMs: 1000 },
    { kind: "time", case: "relu index heat map 100x100", impl: "losscape", maxMs: 1000 },
  ],
};
