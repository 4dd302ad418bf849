/**
 * The facility service: intake → cases and actions (one commit) → delivery, plus the hand-overs
 * to a person and the operator's acknowledgement sent back to the gateway as the contract's `ack`
 * request. Time comes from the injected `now`; the loops run on timers started by `start`.
 */
import { planActions, type ActionRules } from './actions.js';
import type { Case } from './cases.js';
import type { EventMessage, StatusMessage } from './contract.js';
import { Delivery } from './delivery.js';
import type { Directory } from './directory-types.js';
import { onDataGap, onSilence, onWill, type SilenceRules } from './escalation.js';
import { Intake, type IntakeOptions } from './intake.js';
import type { ActionRecord, FacilityStore, Handled, MessageSender, OutgoingMessage, Planner } from './ports.js';
import type { Channel } from './actions.js';

export interface FacilityEvents {
  case?(c: Case, h: Handled): void;
  message?(m: OutgoingMessage, actions: ActionRecord[], result: 'sent' | 'retry' | 'failed', error?: string): void;
  invalid?(topic: string, problem: string): void;
  gateway?(s: StatusMessage, verdict: string): void;
}

export interface FacilityServiceOptions {
  store: FacilityStore;
  directory: Directory;
  senders: Partial<Record<Channel, MessageSender>>;
  rules: ActionRules;
  silence: SilenceRules;
  now: () => number;
  events?: FacilityEvents;
  /** How long an instance's claim on an action lasts (delivery.ts); default 3 min. */
  claimMs?: number;
}

export class FacilityService {
  readonly intake: Intake;
  readonly delivery: Delivery;
  private readonly prefixes = new Map<string, string>();
  private timers: NodeJS.Timeout[] = [];
  private readonly planner: Planner;

  constructor(private readonly o: FacilityServiceOptions) {
    this.planner = (c, step, view) =>
      planActions({ case: c, step, directory: o.directory, rules: o.rules, otherOpenOnLift: view.openCasesOfLift(c.siteId, c.liftId).filter((x) => x.alarmId !== c.alarmId), toldOut: (s, l, t) => view.toldOut(s, l, t) });
    this.intake = new Intake({
      event: (e, topic) => this.handleEvent(e, topic),
      onStatus: (s, topic) => this.handleStatus(s, topic),
      onHealth: (h) => o.store.noteHealth(h, o.now()),
      onDataGap: async (g) => { await o.store.commitActions(onDataGap(o.directory, g), o.now()); },
      onInvalid: (topic, _kind, problem) => o.events?.invalid?.(topic, problem),
    });
    this.delivery = new Delivery(o.store, {
      senders: o.senders,
      directory: o.directory,
      now: o.now,
      backoffMs: 2_000,
      maxBackoffMs: 5 * 60_000,
      claimMs: o.claimMs ?? 180_000,
      ...(o.events?.message ? { onResult: o.events.message } : {}),
    });
  }

  async handleEvent(e: EventMessage, topic?: string): Promise<Handled> {
    if (topic) this.notePrefix(topic, e.site.id, e.gatewayId);
    const h = await this.o.store.handleEvent(e, this.planner, this.o.now());
    if (h.outcome === 'new') this.o.events?.case?.(h.case, h);
    return h;
  }

  /** Checks for silent gateways and overdue test calls; commits the hand-overs they call for. */
  async checkSilence(): Promise<ActionRecord[]> {
    const s = this.o.store;
    const tests = new Map<string, number | null>();
    for (const site of this.o.directory.sites) {
      for (const lift of site.lifts) tests.set(`${site.id}/${lift.id}`, await s.lastTestCall(site.id, lift.id));
    }
    const intents = onSilence(this.o.directory, this.o.silence, {
      now: this.o.now(),
      since: await s.firstStart(),
      gateways: await s.gateways(),
      lastTestCall: (site, lift) => tests.get(`${site}/${lift}`) ?? null,
    });
    return s.commitActions(intents, this.o.now());
  }

  /** The operator took the case: the gateway is asked to acknowledge (its event then marks the case). */
  async acknowledge(alarmId: string, by: string): Promise<void> {
    const c = await this.o.store.getCase(alarmId);
    if (c === undefined) throw new Error(`no case ${alarmId}`);
    const prefix = this.prefixes.get(`${c.siteId}/${c.gatewayId}`) ?? 'liftwatch';
    await this.intake.request(`${prefix}/${c.siteId}/${c.gatewayId}/request/ack`, { transaction: `case-${alarmId}`, alarmId, by });
  }

  async start(mqtt: IntakeOptions, intervals = { deliveryMs: 1_000, silenceMs: 60_000 }): Promise<void> {
    await this.intake.start(mqtt);
    // A store that cannot be reached now is tried again on the next tick; nothing is lost by waiting.
    this.timers.push(setInterval(() => void this.delivery.runOnce().catch(() => undefined), intervals.deliveryMs));
    this.timers.push(setInterval(() => void this.checkSilence().catch(() => undefined), intervals.silenceMs));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.intake.stop();
    for (const s of Object.values(this.o.senders)) await s.close?.();
  }

  private async handleStatus(s: StatusMessage, topic: string): Promise<void> {
    this.notePrefix(topic, s.site.id, s.gatewayId);
    const verdict = await this.o.store.noteStatus(s, this.o.now());
    // The will and a clean stop carry the same payload (docs/mqtt-api.md); either way the lifts
    // of that gateway are unwatched from now on, so the operator is told. A stale will is not.
    if (verdict === 'offline') await this.o.store.commitActions(onWill(this.o.directory, s), this.o.now());
    this.o.events?.gateway?.(s, verdict);
  }

  private notePrefix(topic: string, site: string, gw: string): void {
    const i = topic.indexOf(`/${site}/${gw}/`);
    if (i > 0) this.prefixes.set(`${site}/${gw}`, topic.slice(0, i));
  }
}
