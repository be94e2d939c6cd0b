import type { GatewayOptions, RouteHealthEvent } from '../gateway/index.ts';
import { formatClock, formatUsd } from './tray-menu.ts';

export type BudgetAlert = Parameters<NonNullable<GatewayOptions['onBudgetAlert']>>[0];

export interface NotificationContent {
  title: string;
  body: string;
}

/** "App "my-ide" reached its budget: $5.00 of $5.00 …" — what passed, how far, and what it means. */
export function budgetAlertContent(alert: BudgetAlert): NotificationContent {
  const who = `${alert.scope === 'app' ? 'App' : 'Route'} "${alert.name}"`;
  const spent = `${formatUsd(alert.spentUsd)} of ${formatUsd(alert.limitUsd)} spent`;
  if (alert.threshold >= 100) {
    return {
      title: `${who} reached its budget`,
      body: `${spent}. Its requests are refused until the budget resets or is raised.`,
    };
  }
  return { title: `${who} passed ${alert.threshold}% of its budget`, body: `${spent}.` };
}

/** A vendor's error message can be long: a notification shows a line or two. */
const MAX_ERROR_CHARS = 120;

/** "Route "claude" is cooling down": until when, what that means, and the error that caused it. */
export function routeCoolingContent(event: RouteHealthEvent): NotificationContent {
  const until = event.until === null ? '' : ` until ${formatClock(event.until)}`;
  const error = event.lastError;
  const message =
    error === null
      ? ''
      : ` Last error: ${error.status === null ? '' : `${error.status} `}${
          error.message.length > MAX_ERROR_CHARS
            ? `${error.message.slice(0, MAX_ERROR_CHARS - 1)}…`
            : error.message
        }`;
  return {
    title: `Route "${event.route}" is cooling down`,
    body: `It failed repeatedly: requests go to its fallbacks first${until}, then it is tried again.${message}`,
  };
}

/** The parts of Electron's `Notification` class used here. */
export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

export interface NotificationFactory {
  new (options: { title: string; body: string; silent?: boolean }): NotificationLike;
  isSupported(): boolean;
}

// A notification nobody references can be garbage-collected before it is clicked, losing the click.
const recent: NotificationLike[] = [];

/** Shows a desktop notification where the OS has them; a click opens the window. */
export function notify(
  Notification: NotificationFactory,
  content: NotificationContent,
  onClick?: () => void,
): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title: content.title, body: content.body });
  if (onClick) notification.on('click', onClick);
  notification.show();
  recent.push(notification);
  if (recent.length > 10) recent.shift();
}
