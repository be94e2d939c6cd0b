import type { GatewayStatus } from './tray-menu.ts';

/** What the control needs of a running gateway (`startGateway`'s answer has all of it). */
export interface ControlledGateway {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface GatewayControlOptions<Gateway extends ControlledGateway> {
  /** Starts the gateway on this port; 0 = any free port. */
  start(port: number): Promise<Gateway>;
  preferredPort: number;
  /** Whether a failed start means only that the port could not be used, so that another may be tried. */
  isPortProblem(error: unknown): boolean;
  onChange(status: GatewayStatus, gateway: Gateway | null): void;
  log(message: string): void;
  /** Turns a start failure into what the user should read; default: its message. */
  describeError?(error: unknown): string;
}

/**
 * Start, pause, resume and close, one at a time: a click on "Pause" during a start, or "Quit"
 * during a pause, waits for the step before it instead of racing it. Pausing closes the
 * gateway (listener, database) and resuming starts it again on the port it had, so that URLs
 * already pasted into tools keep working.
 */
export class GatewayControl<Gateway extends ControlledGateway> {
  private current: Gateway | null = null;
  private currentStatus: GatewayStatus = { kind: 'starting' };
  private lastPort: number;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: GatewayControlOptions<Gateway>) {
    this.lastPort = options.preferredPort;
  }

  get status(): GatewayStatus {
    return this.currentStatus;
  }

  get gateway(): Gateway | null {
    return this.current;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.current === null) await this.open(this.options.preferredPort);
    });
  }

  pause(): Promise<void> {
    return this.enqueue(async () => {
      const gateway = this.current;
      if (gateway === null) return;
      this.set({ kind: 'pausing', port: gateway.port });
      try {
        await this.shut(gateway);
      } catch (error) {
        // The listener closes first; what failed after it (a flush) must not leave the tray at "Pausing…".
        this.options.log(`Error while pausing: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.set({ kind: 'paused', port: gateway.port });
    });
  }

  /** Resumes a paused gateway, or tries again after a failed start. */
  resume(): Promise<void> {
    return this.enqueue(async () => {
      if (this.current !== null) return;
      if (this.currentStatus.kind === 'error') {
        this.set({ kind: 'starting' });
        await this.open(this.options.preferredPort);
      } else {
        this.set({ kind: 'resuming', port: this.lastPort });
        await this.open(this.lastPort);
      }
    });
  }

  /** Closes for good (quit): waits for whatever step is under way, then lets in-flight requests finish. */
  close(): Promise<void> {
    this.closed = true;
    return this.enqueue(async () => {
      if (this.current !== null) await this.shut(this.current);
    }, true);
  }

  private enqueue(step: () => Promise<void>, evenWhenClosed = false): Promise<void> {
    const run = async () => {
      if (this.closed && !evenWhenClosed) return;
      await step();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async open(port: number): Promise<void> {
    let failure: unknown;
    try {
      this.running(await this.options.start(port));
      return;
    } catch (error) {
      failure = error;
    }
    if (port !== 0 && this.options.isPortProblem(failure)) {
      try {
        const gateway = await this.options.start(0);
        this.running(gateway, port);
        this.options.log(`Port ${port} was in use; Switchboard is on ${gateway.url} instead.`);
        return;
      } catch (error) {
        failure = error;
      }
    }
    const message =
      this.options.describeError?.(failure) ?? (failure instanceof Error ? failure.message : String(failure));
    this.options.log(`Switchboard could not start: ${message}`);
    this.set({ kind: 'error', message });
  }

  private running(gateway: Gateway, wantedPort?: number): void {
    this.current = gateway;
    this.lastPort = gateway.port;
    this.set({ kind: 'running', url: gateway.url, host: gateway.host, port: gateway.port, wantedPort });
  }

  private async shut(gateway: Gateway): Promise<void> {
    try {
      await gateway.close();
    } finally {
      this.current = null;
    }
  }

  private set(status: GatewayStatus): void {
    this.currentStatus = status;
    this.options.onChange(status, this.current);
  }
}
