/**
 * Numbered, append-only: migration N brings `PRAGMA user_version` from N to N+1.
 * Never edit one that has shipped; add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: routes, apps and their keys, filters, price overrides, request records.
  `
  CREATE TABLE routes (
    id              TEXT PRIMARY KEY,
    position        INTEGER NOT NULL,
    vendor          TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    api_key_sealed  TEXT,
    models          TEXT NOT NULL DEFAULT '[]',
    default_model   TEXT,
    budget          TEXT,
    filters         TEXT NOT NULL DEFAULT '[]',
    timeouts        TEXT,
    source          TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE apps (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    routes      TEXT,
    budget      TEXT,
    rate_limit  TEXT,
    source      TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE app_keys (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    hash        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
  ) STRICT;
  CREATE INDEX app_keys_by_app ON app_keys(app_id);

  CREATE TABLE filters (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    spec        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    updated_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE prices (
    model                   TEXT PRIMARY KEY,
    input_per_mtok          REAL NOT NULL,
    output_per_mtok         REAL NOT NULL,
    cached_input_per_mtok   REAL,
    source                  TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    updated_at              INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE requests (
    seq                   INTEGER PRIMARY KEY,
    id                    TEXT NOT NULL UNIQUE,
    time                  INTEGER NOT NULL,
    app                   TEXT,
    route                 TEXT,
    vendor                TEXT,
    model                 TEXT,
    upstream_model        TEXT,
    endpoint              TEXT NOT NULL,
    stream                INTEGER NOT NULL,
    status                INTEGER NOT NULL,
    error_code            TEXT,
    input_tokens          INTEGER,
    output_tokens         INTEGER,
    cached_input_tokens   INTEGER,
    reasoning_tokens      INTEGER,
    cost_usd              REAL,
    latency_ms            REAL NOT NULL,
    ttfb_ms               REAL,
    partial               INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX requests_by_time ON requests(time);
  CREATE INDEX requests_by_app_time ON requests(app, time);
  CREATE INDEX requests_by_route_time ON requests(route, time);
  `,
  // 2: a route's max_tokens for models whose limits are not known.
  `ALTER TABLE routes ADD COLUMN default_max_tokens INTEGER;`,
  // 3: budgets (the spend ledger, reservations of requests in flight, alerts) and app filters.
  `
  CREATE TABLE budget_usage (
    scope         TEXT NOT NULL CHECK (scope IN ('app', 'route')),
    name          TEXT NOT NULL,
    period_start  INTEGER NOT NULL,
    spent_usd     REAL NOT NULL DEFAULT 0,
    reserved_usd  REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, name, period_start)
  ) STRICT;

  CREATE TABLE reservations (
    id          INTEGER PRIMARY KEY,
    request_id  TEXT NOT NULL,
    amount_usd  REAL NOT NULL,
    holds       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    scope         TEXT NOT NULL,
    name          TEXT NOT NULL,
    period_start  INTEGER NOT NULL,
    threshold     INTEGER NOT NULL,
    spent_usd     REAL NOT NULL,
    limit_usd     REAL NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (scope, name, period_start, threshold)
  ) STRICT;

  ALTER TABLE apps ADD COLUMN filters TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE routes ADD COLUMN rate_limit TEXT;
  `,
  // 4: hourly rollups for the dashboard's charts, so that they never scan the request table.
  `
  CREATE TABLE usage_hourly (
    hour                  INTEGER NOT NULL,
    app                   TEXT NOT NULL,
    route                 TEXT NOT NULL,
    model                 TEXT NOT NULL,
    requests              INTEGER NOT NULL,
    errors                INTEGER NOT NULL,
    input_tokens          INTEGER NOT NULL,
    output_tokens         INTEGER NOT NULL,
    cached_input_tokens   INTEGER NOT NULL,
    reasoning_tokens      INTEGER NOT NULL,
    cost_usd              REAL NOT NULL,
    unpriced              INTEGER NOT NULL,
    latency_ms_sum        REAL NOT NULL,
    PRIMARY KEY (hour, app, route, model)
  ) STRICT;

  INSERT INTO usage_hourly
  SELECT (time / 3600000) * 3600000, COALESCE(app, ''), COALESCE(route, ''), COALESCE(upstream_model, model, ''),
    COUNT(*), SUM(status >= 400), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
    COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cost_usd), 0),
    SUM(cost_usd IS NULL AND input_tokens IS NOT NULL), SUM(latency_ms)
  FROM requests GROUP BY 1, 2, 3, 4;
  `,
  // 5: settings changed in the dashboard (the server section), kept across restarts.
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  // 6: the request log filtered by app, route or model, newest first, without a scan (382 ms → 0.4 ms
  // at a million rows in the benchmark).
  `
  CREATE INDEX requests_by_app_seq ON requests(app, seq);
  CREATE INDEX requests_by_route_seq ON requests(route, seq);
  CREATE INDEX requests_by_model_seq ON requests(model, seq);
  `,
  // 7: body logging, per route and off by default; bodies are sealed like vendor keys.
  `
  ALTER TABLE routes ADD COLUMN log_bodies INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE request_bodies (
    request_id  TEXT PRIMARY KEY,
    sealed      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;
  `,
  // 8: what the gateway noticed about a request that its fields cannot say (usage an upstream
  // reported that could not be true, a row that had to be written without its cost).
  `ALTER TABLE requests ADD COLUMN note TEXT;`,
  // 9: the rollups keyed by the model as requested, not as the vendor reported it: an answer comes
  // back as `gpt-4o-mini-2024-07-18` but a failure only knows `gpt-4o-mini`, so keyed by the vendor's
  // name one model's totals and error rate were split in two. Rebuilt from the request log, which
  // keeps every row (nothing prunes it), so no history is lost.
  `
  DELETE FROM usage_hourly;
  INSERT INTO usage_hourly
  SELECT (time / 3600000) * 3600000, COALESCE(app, ''), COALESCE(route, ''), COALESCE(model, upstream_model, ''),
    COUNT(*), SUM(status >= 400), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
    COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cost_usd), 0),
    SUM(cost_usd IS NULL AND input_tokens IS NOT NULL), SUM(latency_ms)
  FROM requests GROUP BY 1, 2, 3, 4;
  `,
  // 10: why a request failed, as its caller was told (scrubbed, capped), and when it may try again.
  `
  ALTER TABLE requests ADD COLUMN error_message TEXT;
  ALTER TABLE requests ADD COLUMN retry_after TEXT;
  `,
  // 11: agents. Model maps on routes and apps (requested pattern → model, JSON); the model a client
  // named where a map or an alias changed it; the agent session a request belongs to, and its tool.
  `
  ALTER TABLE routes ADD COLUMN model_map TEXT;
  ALTER TABLE apps ADD COLUMN model_map TEXT;
  ALTER TABLE requests ADD COLUMN requested_model TEXT;
  ALTER TABLE requests ADD COLUMN session TEXT;
  ALTER TABLE requests ADD COLUMN agent TEXT;
  CREATE INDEX requests_by_session_seq ON requests(session, seq) WHERE session IS NOT NULL;
  `,
  // 12: Responses API answers kept for previous_response_id on routes that cannot keep them: app
  // scoped, sealed like logged bodies (size is the plaintext's, in bytes), pruned once expired.
  `
  CREATE TABLE responses (
    id          TEXT PRIMARY KEY,
    app         TEXT NOT NULL,
    route       TEXT NOT NULL,
    model       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    sealed      TEXT NOT NULL
  ) STRICT;
  CREATE INDEX responses_by_expiry ON responses(expires_at);
  `,
  // 13: whether a route's server speaks OpenAI's Responses API (its `responses` setting), off by default.
  `ALTER TABLE routes ADD COLUMN speaks_responses INTEGER NOT NULL DEFAULT 0;`,
  // 14: retries and fallbacks. A route's fallbacks (route ids in order, JSON) and retries; the
  // upstream calls a request made when there was more than one (JSON: route, model, status, error,
  // duration each), beside its row.
  `
  ALTER TABLE routes ADD COLUMN fallbacks TEXT;
  ALTER TABLE routes ADD COLUMN retries INTEGER;
  ALTER TABLE requests ADD COLUMN attempts TEXT;
  `,
  // 15: the time the vendors held a request (every upstream call, from sending it to the end of
  // its answer), so that the gateway's own share of the latency can be shown apart.
  `ALTER TABLE requests ADD COLUMN upstream_ms REAL;`,
];
