import { browserProject } from "../../vitest.browser-project.js";

// Browser tests of @losscape/spectra (see vitest.browser-project.ts at the repository root).
export default browserProject("spectra-browser");
