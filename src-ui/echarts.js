// The ECharts the app uses, and nothing more: bar and line charts, grid, legend, tooltip, the
// shaded projection band, the canvas renderer for the page and the SVG renderer for exported
// images. `cargo xtask` bundles this with esbuild into `vendor/echarts.min.js` (a classic script
// that sets `window.echarts`, which charming calls).
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  CanvasRenderer,
  SVGRenderer,
]);

globalThis.echarts = echarts;
