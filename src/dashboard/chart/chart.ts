export { ChartElement, type LogToggleEvent, type ZoomEvent } from './chart.component.js';
export { UPlotController, type PlotConfig, type StepRange } from './uplot.controller.js';
export { LocalData } from './local-data.js';
