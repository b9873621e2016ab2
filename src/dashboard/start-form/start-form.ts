export { StartFormElement, type StartHandler, type StartRequest } from './start-form.component.js';
