/**
 * The texts people receive, in Italian, German and English. `{name}` placeholders are filled
 * from the case; a text never carries a secret, only what the recipient needs.
 */
import type { Language } from './directory-types.js';

export type TemplateName = 'tenantOut' | 'tenantBack' | 'repairer' | 'operator';

const TEXTS: Record<Language, Record<TemplateName, string>> = {
  en: {
    tenantOut: '{site}: {lifts} out of service. The fault is known and being handled; no need to call.',
    tenantBack: '{site}: {lifts} back in service. Thank you for your patience.',
    repairer: '{site}, {lift}: {code} ({severity}) since {since}, car at landing {floor}. Case {case}.',
    operator: '{site}, {lift}: {code} ({severity}) needs a person: {reason}. Case {case}.',
  },
  it: {
    tenantOut: "{site}: {lifts} fuori servizio. Il guasto è noto e in gestione; non serve chiamare.",
    tenantBack: '{site}: {lifts} di nuovo in servizio. Grazie per la pazienza.',
    repairer: '{site}, {lift}: {code} ({severity}) dalle {since}, cabina al piano {floor}. Pratica {case}.',
    operator: '{site}, {lift}: {code} ({severity}) richiede una persona: {reason}. Pratica {case}.',
  },
  de: {
    tenantOut: '{site}: {lifts} außer Betrieb. Die Störung ist bekannt und wird behoben; Sie müssen nicht anrufen.',
    tenantBack: '{site}: {lifts} wieder in Betrieb. Danke für Ihre Geduld.',
    repairer: '{site}, {lift}: {code} ({severity}) seit {since}, Kabine auf Haltestelle {floor}. Fall {case}.',
    operator: '{site}, {lift}: {code} ({severity}) braucht eine Person: {reason}. Fall {case}.',
  },
};

/** Joins lift names as a reader of `language` expects ("Lift A and Lift B"). */
function listOf(items: string[], language: Language): string {
  const and = { en: 'and', it: 'e', de: 'und' }[language];
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

export function render(name: TemplateName, language: Language, vars: Record<string, string | string[]>): string {
  return TEXTS[language][name].replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = vars[key];
    if (v === undefined) return '?';
    return Array.isArray(v) ? listOf(v, language) : v;
  });
}
