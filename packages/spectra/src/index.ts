export * from "./complex.js";
export * from "./types.js";
export * from "./moments.js";
export { semicircleG, freePoissonG } from "./closed-forms.js";
export { rationalMeasure, addRational, normaliseRational, type RationalR } from "./rational.js";
export * from "./pennington-bahri.js";
export * from "./measures.js";
export { freeConvolutionSubordination, gaussLegendre } from "./subordination.js";
