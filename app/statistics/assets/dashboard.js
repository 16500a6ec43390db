// Draws the dashboard's charts from the numbers the page already shows in its tables: each
// `.stat-chart` element carries `data-chart` JSON {type, categories, series: [{name, data}]}.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);

function draw(el) {
  const spec = JSON.parse(el.dataset.chart);
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value' },
    series: spec.series.map((s) => ({ name: s.name, type: spec.type, data: s.data })),
  });
  el.dataset.rendered = 'true';
  window.addEventListener('resize', () => chart.resize());
}

document.querySelectorAll('.stat-chart[data-chart]').forEach(draw);
