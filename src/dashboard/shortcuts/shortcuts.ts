export { SHORTCUTS, ShortcutsElement } from './shortcuts.component.js';
