/**
 * Topic builders for MQTT contract v1 (docs/mqtt-api.md):
 * `<topicPrefix>/<siteId>/<gatewayId>/{status | lift/<liftId>/event | lift/<liftId>/state}`.
 */
import { UplinkError } from './errors.js';

/**
 * An id is one topic level: non-empty, no `/` (level separator), no `+`/`#` (wildcards are
 * not allowed in a topic name, [MQTT-3.3.2-2]) and no NUL ([MQTT-1.5.3-2]).
 */
export function assertTopicId(kind: string, id: string): void {
  if (id.length === 0 || /[/+#\u0000]/.test(id)) {
    throw new UplinkError('UPLINK_INVALID_TOPIC_ID', `${kind} ${JSON.stringify(id)} cannot be a topic level: no / + # or empty`, {
      kind,
      id,
    });
  }
}

/** The prefix may span levels (`acme/liftwatch`) but each level must be a valid id. */
function assertPrefix(prefix: string): void {
  for (const level of prefix.split('/')) assertTopicId('topicPrefix level', level);
}

export function rootTopic(topicPrefix: string, siteId: string, gatewayId: string): string {
  assertPrefix(topicPrefix);
  assertTopicId('siteId', siteId);
  assertTopicId('gatewayId', gatewayId);
  return `${topicPrefix}/${siteId}/${gatewayId}`;
}

export function statusTopic(root: string): string {
  return `${root}/status`;
}

export function eventTopic(root: string, liftId: string): string {
  assertTopicId('liftId', liftId);
  return `${root}/lift/${liftId}/event`;
}

export function stateTopic(root: string, liftId: string): string {
  assertTopicId('liftId', liftId);
  return `${root}/lift/${liftId}/state`;
}

export function healthTopic(root: string): string {
  return `${root}/health`;
}

/** Requests arrive on `<root>/request/<op>`; subscribe with the `+` filter. */
export function requestFilter(root: string): string {
  return `${root}/request/+`;
}

export function responseTopic(root: string, op: string): string {
  return `${root}/response/${op}`;
}

/** Topic-filter matching for `+` and `#` ([MQTT-4.7.1-2], [MQTT-4.7.1-3]). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
