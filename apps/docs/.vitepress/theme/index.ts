import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import RunExample from "./RunExample.vue";

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("RunExample", RunExample);
  },
} satisfies Theme;
