import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import AlphaHeatMap from "./AlphaHeatMap.vue";
import RunExample from "./RunExample.vue";

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("RunExample", RunExample);
    app.component("AlphaHeatMap", AlphaHeatMap);
  },
} satisfies Theme;
