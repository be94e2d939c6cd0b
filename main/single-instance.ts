export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/**
 * One Switchboard per user: a second copy would find the port taken and the database in use.
 * Returns false (and quits) when another instance holds the lock; otherwise calls `onSecondLaunch`
 * whenever the user launches it again, so that the running one can come to the front.
 */
export function claimSingleInstance(app: SingleInstanceApp, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondLaunch());
  return true;
}
