// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { budgetAlertContent, notify, type BudgetAlert } from '../../main/notifications.ts';
import { FakeNotification } from './fake-electron.ts';

const alert: BudgetAlert = {
  scope: 'route',
  name: 'claude',
  periodStart: Date.UTC(2025, 5, 1),
  threshold: 50,
  spentUsd: 10.004,
  limitUsd: 20,
  createdAt: Date.UTC(2025, 5, 9),
};

describe('budget alert notifications', () => {
  it('say what passed how far', () => {
    expect(budgetAlertContent(alert)).toEqual({
      title: 'Route "claude" passed 50% of its budget',
      body: '$10.00 of $20.00 spent.',
    });
  });

  it('say what a spent budget means', () => {
    expect(
      budgetAlertContent({ ...alert, scope: 'app', name: 'agent', threshold: 100, spentUsd: 20 }),
    ).toEqual({
      title: 'App "agent" reached its budget',
      body: '$20.00 of $20.00 spent. Its requests are refused until the budget resets or is raised.',
    });
  });

  it('show where the OS has notifications, and a click does what the caller asked', () => {
    FakeNotification.instances = [];
    FakeNotification.supported = true;
    const onClick = vi.fn();
    notify(FakeNotification, { title: 't', body: 'b' }, onClick);
    const [shown] = FakeNotification.instances;
    expect(shown?.shown).toBe(true);
    shown?.emit('click');
    expect(onClick).toHaveBeenCalledOnce();

    FakeNotification.supported = false;
    notify(FakeNotification, { title: 't', body: 'b' });
    expect(FakeNotification.instances).toHaveLength(1);
  });
});
