import { defineConfig } from "vitepress";

// The docs site. Package pages include each package's README and docs/*.md include the repository's docs/ folder
// (one source of truth for formulas, API, formats and the command line); examples run live in the page through the
// <RunExample> component, against the built packages, in a module worker.
export default defineConfig({
  title: "losscape",
  description: "Exact, fast geometry of neural-network loss landscapes in JavaScript (WASM SIMD, float64)",
  cleanUrls: true,
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  markdown: { math: true },
  // The package READMEs link to ../../benchmarks/RESULTS.md and ../../docs/<page>.md (right in the repository).
  // Included into packages/<pkg>.md, such a link leaves the docs folder, which VitePress reports as dead — but the
  // browser resolves it from /packages/<pkg> to /benchmarks/RESULTS or /docs/<page>, pages of this site
  // (benchmarks/RESULTS.md and docs/<page>.md include the files).
  // Files in public/ (the PyTorch example's network and data) are served as they are, not as pages.
  ignoreDeadLinks: [
    (url) => /^(\.\/)?\.\.\/\.\.\/(benchmarks\/RESULTS|docs\/(architecture|conventions|formats|cli|critical-points))(\.md)?(#[\w-]*)?$/.test(url),
    (url) => /^\/pytorch\/classifier\.(onnx|json)$/.test(url),
    (url) => /^\/experiments\/pb-figure6\.(results\.jsonl|aggregate\.txt|figure6\.svg)$/.test(url),
  ],
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/getting-started" },
      { text: "Live examples", link: "/guide/examples" },
      { text: "Packages", link: "/packages/core" },
      { text: "Design", link: "/docs/architecture" },
      { text: "Command line", link: "/docs/cli" },
    ],
    sidebar: [
      {
        text: "Guide",
        items: [
          { text: "Getting started", link: "/guide/getting-started" },
          { text: "Sweeps on many machines", link: "/guide/experiments" },
          { text: "Benchmarks", link: "/benchmarks/RESULTS" },
          { text: "MNIST: reduction through training", link: "/guide/mnist-condensation" },
        ],
      },
      {
        text: "Design",
        items: [
          { text: "Architecture", link: "/docs/architecture" },
          { text: "Conventions", link: "/docs/conventions" },
          { text: "File formats", link: "/docs/formats" },
          { text: "Command line", link: "/docs/cli" },
          { text: "Critical points", link: "/docs/critical-points" },
        ],
      },
      {
        text: "Live examples",
        items: [
          { text: "Core: linear algebra", link: "/guide/examples" },
          { text: "Networks and Hessians", link: "/guide/examples-mlp" },
          { text: "Embeddings", link: "/guide/examples-embedding" },
          { text: "Embeddings in depth", link: "/guide/examples-depth" },
          { text: "Spectra", link: "/guide/examples-spectra" },
          { text: "Curvature at scale", link: "/guide/examples-curvature" },
          { text: "Minima manifolds", link: "/guide/examples-manifold" },
          { text: "α(ε, φ) heat map", link: "/guide/heatmap" },
          { text: "A PyTorch-trained network", link: "/guide/pytorch" },
        ],
      },
      {
        text: "Packages",
        items: [
          { text: "@losscape/core", link: "/packages/core" },
          { text: "@losscape/mlp", link: "/packages/mlp" },
          { text: "@losscape/embedding", link: "/packages/embedding" },
          { text: "@losscape/spectra", link: "/packages/spectra" },
          { text: "@losscape/curvature", link: "/packages/curvature" },
          { text: "@losscape/manifold", link: "/packages/manifold" },
          { text: "@losscape/io", link: "/packages/io" },
          { text: "@losscape/experiments", link: "/packages/experiments" },
          { text: "@losscape/cli", link: "/packages/cli" },
        ],
      },
    ],
  },
  vite: {
    build: { target: "es2022" },
    esbuild: { target: "es2022" },
    // The live examples run in a module worker (theme/runner.ts) that imports the packages on demand: ES format, so
    // that its dynamic imports split into chunks and the packages' new URL(…, import.meta.url) finds their .wasm.
    worker: { format: "es" },
    optimizeDeps: {
      esbuildOptions: { target: "es2022" },
      // These packages load their .wasm through new URL(…, import.meta.url): leave them unbundled in dev.
      exclude: ["@losscape/core", "@losscape/mlp", "@losscape/embedding", "@losscape/spectra", "@losscape/manifold", "@losscape/io"],
    },
    ssr: { noExternal: [] },
  },
});
