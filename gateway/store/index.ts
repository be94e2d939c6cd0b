import { agentSessionsTable } from './agent-sessions.ts';
import { appsTable } from './apps.ts';
import { budgetsTable } from './budgets.ts';
import { openDatabase, type Db } from './database.ts';
import { filtersTable } from './filters.ts';
import { pricesTable } from './prices.ts';
import { requestsTable } from './requests.ts';
import { responsesTable } from './responses.ts';
import { routesTable } from './routes.ts';
import { settingsTable } from './settings.ts';
import { usageTable } from './usage.ts';

export type Store = ReturnType<typeof createStore>;

export function createStore(db: Db) {
  return {
    db,
    routes: routesTable(db),
    apps: appsTable(db),
    filters: filtersTable(db),
    prices: pricesTable(db),
    requests: requestsTable(db),
    agentSessions: agentSessionsTable(db),
    budgets: budgetsTable(db),
    usage: usageTable(db),
    settings: settingsTable(db),
    responses: responsesTable(db),
    /** Runs `work` in one IMMEDIATE transaction: all of it lands, or none. */
    transaction: <T>(work: () => T): T => db.transaction(work).immediate(),
    close: () => db.close(),
  };
}

export function openStore(dataDir: string): Store {
  return createStore(openDatabase(dataDir));
}
