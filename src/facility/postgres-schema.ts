/**
 * The PostgreSQL store's tables, created on start when missing (postgres-store.ts). The same
 * tables as the SQLite store; milliseconds are BIGINT; an action also carries its claim
 * (claimed_by, claimed_until): the instance sending it, and until when no other may.
 */
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS steps (
  event_id   TEXT PRIMARY KEY,
  alarm_id   TEXT    NOT NULL,
  gateway_id TEXT    NOT NULL,
  seq        BIGINT  NOT NULL,
  step       TEXT    NOT NULL -- JSON, the event as published without 'historical'
);
CREATE INDEX IF NOT EXISTS steps_by_alarm ON steps (alarm_id, seq);
CREATE TABLE IF NOT EXISTS cases (
  alarm_id   TEXT PRIMARY KEY,
  status     TEXT NOT NULL,
  site_id    TEXT NOT NULL,
  lift_id    TEXT NOT NULL,
  opened_at  TEXT NOT NULL -- ISO 8601 UTC, sorts as text
);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status, opened_at);
CREATE INDEX IF NOT EXISTS cases_by_lift ON cases (site_id, lift_id, status);
CREATE TABLE IF NOT EXISTS actions (
  id            BIGSERIAL PRIMARY KEY,
  key           TEXT    NOT NULL UNIQUE,
  grp           TEXT,
  kind          TEXT    NOT NULL,
  alarm_id      TEXT    NOT NULL,
  site_id       TEXT    NOT NULL,
  lift_id       TEXT    NOT NULL,
  lift_label    TEXT    NOT NULL,
  recipient_id  TEXT    NOT NULL,
  recipient     TEXT    NOT NULL, -- JSON Recipient
  created_at    BIGINT  NOT NULL,
  due_at        BIGINT  NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       BIGINT  NOT NULL,
  sent_at       BIGINT,
  state         TEXT    NOT NULL DEFAULT 'pending',
  last_error    TEXT,
  reason        TEXT,
  claimed_by    TEXT,
  claimed_until BIGINT
);
CREATE INDEX IF NOT EXISTS actions_pending ON actions (next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS actions_by_alarm ON actions (alarm_id);
CREATE INDEX IF NOT EXISTS actions_by_group ON actions (grp) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS actions_tenant ON actions (site_id, lift_id, recipient_id, kind);
CREATE TABLE IF NOT EXISTS gateways (
  site_id    TEXT    NOT NULL,
  gateway_id TEXT    NOT NULL,
  state      TEXT    NOT NULL,
  session    BIGINT  NOT NULL,
  status_at  BIGINT  NOT NULL,
  health_at  BIGINT,
  health     TEXT,
  PRIMARY KEY (site_id, gateway_id)
);
CREATE TABLE IF NOT EXISTS closures (
  alarm_id  TEXT PRIMARY KEY,
  closed_by TEXT   NOT NULL,
  closed_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
