export { ControlsElement, type ControlEvent } from './controls.component.js';
