// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { claimSingleInstance } from '../../main/single-instance.ts';
import { focusWindow } from '../../main/window.ts';
import { FakeApp, FakeBrowserWindow } from './fake-electron.ts';

describe('one instance', () => {
  it('the first instance keeps the lock, and a second launch calls it to the front', () => {
    const app = new FakeApp('/tmp/unused');
    const onSecondLaunch = vi.fn();
    expect(claimSingleInstance(app, onSecondLaunch)).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    app.emit('second-instance', {}, ['switchboard'], '/home/me');
    expect(onSecondLaunch).toHaveBeenCalledOnce();
  });

  it('a second instance quits at once', () => {
    const app = new FakeApp('/tmp/unused');
    app.hasLock = false;
    const onSecondLaunch = vi.fn();
    expect(claimSingleInstance(app, onSecondLaunch)).toBe(false);
    expect(app.quit).toHaveBeenCalledOnce();
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('focusing restores a minimised window, shows and focuses it', () => {
    const window = new FakeBrowserWindow({});
    window.minimized = true;
    focusWindow(window);
    expect(window.minimized).toBe(false);
    expect(window.visible).toBe(true);
    expect(window.focusCount).toBe(1);
  });
});
