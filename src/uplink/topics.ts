/**
 * Topic builders for MQTT contract v1 (docs/mqtt-contract.md):
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
