// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { GatewayControl, type ControlledGateway } from '../../main/gateway-control.ts';
import type { GatewayStatus } from '../../main/tray-menu.ts';

class PortTaken extends Error {}

function fakeGateway(port: number, events: string[]): ControlledGateway {
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    close: async () => {
      events.push(`close ${port}`);
    },
  };
}

function setUp(start: (port: number) => Promise<ControlledGateway>, preferredPort = 4141) {
  const statuses: GatewayStatus['kind'][] = [];
  const log = vi.fn();
  const control = new GatewayControl({
    start,
    preferredPort,
    isPortProblem: (error) => error instanceof PortTaken,
    onChange: (status) => statuses.push(status.kind),
    log,
  });
  return { control, statuses, log };
}

describe('the gateway control', () => {
  it('starts on the preferred port', async () => {
    const events: string[] = [];
    const start = vi.fn(async (port: number) => fakeGateway(port, events));
    const { control, statuses } = setUp(start);
    await control.start();
    expect(start).toHaveBeenCalledWith(4141);
    expect(control.status).toEqual({
      kind: 'running',
      url: 'http://127.0.0.1:4141',
      host: '127.0.0.1',
      port: 4141,
    });
    expect(statuses).toEqual(['running']);
  });

  it('takes any free port when the preferred one is taken, and says so', async () => {
    const events: string[] = [];
    const start = vi.fn(async (port: number) => {
      if (port === 4141) throw new PortTaken('Port 4141 is already in use');
      return fakeGateway(50123, events);
    });
    const { control, log } = setUp(start);
    await control.start();
    expect(start.mock.calls.map(([port]) => port)).toEqual([4141, 0]);
    expect(control.status).toMatchObject({ kind: 'running', port: 50123, wantedPort: 4141 });
    expect(log).toHaveBeenCalledWith(
      'Port 4141 was in use; Switchboard is on http://127.0.0.1:50123 instead.',
    );
  });

  it('does not hide other failures behind a port change', async () => {
    const start = vi.fn(async () => {
      throw new Error('database disk image is malformed');
    });
    const { control } = setUp(start);
    await control.start();
    expect(start).toHaveBeenCalledTimes(1);
    expect(control.status).toEqual({ kind: 'error', message: 'database disk image is malformed' });
  });

  it('pauses by closing the gateway and resumes on the port it had', async () => {
    const events: string[] = [];
    const start = vi.fn(async (port: number) => fakeGateway(port === 0 ? 50123 : port, events));
    const { control, statuses } = setUp(start, 0);
    await control.start();
    await control.pause();
    expect(events).toEqual(['close 50123']);
    expect(control.gateway).toBeNull();
    expect(control.status).toEqual({ kind: 'paused', port: 50123 });
    await control.resume();
    expect(start.mock.calls.map(([port]) => port)).toEqual([0, 50123]);
    expect(statuses).toEqual(['running', 'pausing', 'paused', 'resuming', 'running']);
  });

  it('runs one step at a time: quit during a start waits for it, then closes what started', async () => {
    const events: string[] = [];
    let finishStart: () => void = () => undefined;
    const start = vi.fn(
      (port: number) =>
        new Promise<ControlledGateway>((resolve) => {
          finishStart = () => resolve(fakeGateway(port, events));
        }),
    );
    const { control } = setUp(start);
    const started = control.start();
    await vi.waitFor(() => expect(start).toHaveBeenCalled());
    const closed = control.close();
    await Promise.resolve();
    expect(events).toEqual([]);
    finishStart();
    await Promise.all([started, closed]);
    expect(events).toEqual(['close 4141']);
    // Closed for good: a late resume does nothing.
    await control.resume();
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('a quit before the start began starts nothing', async () => {
    const start = vi.fn(async (port: number) => fakeGateway(port, []));
    const { control } = setUp(start);
    const started = control.start();
    await control.close();
    await started;
    expect(start).not.toHaveBeenCalled();
  });

  it('pausing twice or resuming a running gateway changes nothing', async () => {
    const events: string[] = [];
    const start = vi.fn(async (port: number) => fakeGateway(port, events));
    const { control } = setUp(start);
    await control.start();
    await control.resume();
    expect(start).toHaveBeenCalledTimes(1);
    await Promise.all([control.pause(), control.pause()]);
    expect(events).toEqual(['close 4141']);
  });

  it('a close that fails while pausing still ends paused', async () => {
    const { control, log } = setUp(async (port) => ({
      ...fakeGateway(port, []),
      close: () => Promise.reject(new Error('flush failed')),
    }));
    await control.start();
    await control.pause();
    expect(control.status.kind).toBe('paused');
    expect(log).toHaveBeenCalledWith('Error while pausing: flush failed');
  });
});
