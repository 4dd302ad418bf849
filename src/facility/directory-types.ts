/** The facility's directory: who is where, and whom to call (docs/facility.md). */

export type Language = 'en' | 'it' | 'de';

export interface Contact {
  name: string;
  /** A phone number for text messages (E.164), sent through the SMS webhook. */
  sms?: string;
  email?: string;
}

export interface Tenant extends Contact {
  id: string;
  /** The landing label the tenant lives on, as the gateway names landings. */
  landing: string;
  language: Language;
}

export interface DirectoryLift {
  id: string;
  gateway: string;
  label?: string;
  landings: string[];
}

export interface DirectorySite {
  id: string;
  name: string;
  language: Language;
  lifts: DirectoryLift[];
  tenants: Tenant[];
  /** The repair company: told on every major or critical raise. */
  repairer: Contact & { language: Language };
  /** The operator on duty: called when self-service reaches its limits. */
  operator: Contact & { language: Language };
}

export interface Directory {
  sites: DirectorySite[];
}
