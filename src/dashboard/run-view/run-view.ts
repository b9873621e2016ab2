export { RunViewElement } from './run-view.component.js';
