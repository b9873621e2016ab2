export { PhaseTimelineElement } from './phase-timeline.component.js';
