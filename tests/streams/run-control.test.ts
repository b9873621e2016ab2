import { describe, expect, it } from 'vitest';
import { RunControl, type ControlState } from '../../src/streams/run-control.js';

/** What the tick source does around one step: ask, then (if allowed) settle after it. */
function pullOne(control: RunControl): boolean {
  const allowed = control.tryAcquire();
  if (allowed) control.settle();
  return allowed;
}

describe('RunControl', () => {
  it('starts running by default and lets every step start', () => {
    const control = new RunControl();
    expect(control.state).toBe('running');
    for (let i = 0; i < 5; i++) expect(pullOne(control)).toBe(true);
    expect(control.state).toBe('running');
    expect(control.remaining).toBe(0);
  });

  it('can start paused or stopped', () => {
    expect(new RunControl('paused').state).toBe('paused');
    expect(new RunControl('stopped').state).toBe('stopped');
    expect(new RunControl('paused').tryAcquire()).toBe(false);
    expect(new RunControl('stopped').tryAcquire()).toBe(false);
  });

  it('pause: running → paused, and no step may start', () => {
    const control = new RunControl();
    control.pause();
    expect(control.state).toBe('paused');
    expect(control.tryAcquire()).toBe(false);
    expect(control.tryAcquire()).toBe(false);
    control.settle();
    expect(control.state).toBe('paused');
  });

  it('step(3) from paused: stepping with exactly 3 acquisitions, then settle() pauses', () => {
    const control = new RunControl('paused');
    control.step(3);
    expect(control.state).toBe('stepping');
    expect(control.remaining).toBe(3);

    expect(control.tryAcquire()).toBe(true);
    control.settle();
    expect(control.state).toBe('stepping');
    expect(control.remaining).toBe(2);

    expect(control.tryAcquire()).toBe(true);
    control.settle();
    expect(control.remaining).toBe(1);

    expect(control.tryAcquire()).toBe(true);
    expect(control.state).toBe('stepping'); // the third step is in progress
    control.settle();
    expect(control.state).toBe('paused');
    expect(control.remaining).toBe(0);
    expect(control.tryAcquire()).toBe(false);
  });

  it('refuses a fourth acquisition even before settle() runs', () => {
    const control = new RunControl('paused');
    control.step(3);
    expect([control.tryAcquire(), control.tryAcquire(), control.tryAcquire(), control.tryAcquire()]).toEqual([true, true, true, false]);
    control.settle();
    expect(control.state).toBe('paused');
  });

  it('step(n) from running steps n more, then pauses', () => {
    const control = new RunControl();
    control.step(2);
    expect(control.state).toBe('stepping');
    expect([pullOne(control), pullOne(control), pullOne(control)]).toEqual([true, true, false]);
    expect(control.state).toBe('paused');
  });

  it('step(n) while stepping adds to the budget left', () => {
    const control = new RunControl('paused');
    control.step(2);
    expect(pullOne(control)).toBe(true);
    control.step(3);
    expect(control.state).toBe('stepping');
    expect(control.remaining).toBe(4);
    const allowed = Array.from({ length: 5 }, () => pullOne(control));
    expect(allowed).toEqual([true, true, true, true, false]);
    expect(control.state).toBe('paused');
  });

  it('a pause while stepping drops the rest of the budget; a later step(n) counts from zero', () => {
    const control = new RunControl('paused');
    control.step(5);
    pullOne(control);
    control.pause();
    expect(control.state).toBe('paused');
    expect(control.remaining).toBe(0);
    expect(control.tryAcquire()).toBe(false);
    control.step(2);
    expect(control.remaining).toBe(2);
    expect([pullOne(control), pullOne(control), pullOne(control)]).toEqual([true, true, false]);
  });

  it('resume: paused → running and stepping → running', () => {
    const control = new RunControl('paused');
    control.resume();
    expect(control.state).toBe('running');
    control.step(2);
    pullOne(control);
    control.resume();
    expect(control.state).toBe('running');
    for (let i = 0; i < 4; i++) expect(pullOne(control)).toBe(true);
    expect(control.state).toBe('running');
  });

  it.each<ControlState>(['running', 'paused', 'stepping'])('stop from %s is final and ignores later calls', (from) => {
    const control = new RunControl(from === 'stepping' ? 'paused' : from);
    if (from === 'stepping') control.step(4);
    expect(control.state).toBe(from);
    control.stop();
    expect(control.state).toBe('stopped');
    control.resume();
    control.pause();
    control.step(2);
    control.stop();
    control.settle();
    expect(control.state).toBe('stopped');
    expect(control.tryAcquire()).toBe(false);
    expect(control.remaining).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('step(%s) throws a RangeError naming n and the value, and changes nothing', (n) => {
    const control = new RunControl('paused');
    let caught: unknown;
    try {
      control.step(n);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    const message = (caught as RangeError).message;
    expect(message).toMatch(/\bn\b/);
    expect(message).toContain(String(n));
    expect(control.state).toBe('paused');
    expect(control.tryAcquire()).toBe(false);
  });

  it('state$ emits the current state, then each distinct change in order', () => {
    const control = new RunControl();
    const seen: ControlState[] = [];
    const sub = control.state$.subscribe((s) => seen.push(s));
    control.pause();
    control.pause(); // no change
    control.step(2);
    control.step(1); // still stepping
    pullOne(control);
    pullOne(control);
    pullOne(control); // budget used up after the third: paused
    control.resume();
    control.resume(); // no change
    control.step(1);
    control.resume();
    control.stop();
    control.stop(); // final
    control.resume();
    sub.unsubscribe();
    expect(seen).toEqual(['running', 'paused', 'stepping', 'paused', 'running', 'stepping', 'running', 'stopped']);
  });

  it('state$ gives a late subscriber the current state first', () => {
    const control = new RunControl();
    control.step(2);
    const seen: ControlState[] = [];
    const sub = control.state$.subscribe((s) => seen.push(s));
    pullOne(control);
    pullOne(control);
    sub.unsubscribe();
    control.resume(); // after unsubscribe: not seen
    expect(seen).toEqual(['stepping', 'paused']);
  });
});
