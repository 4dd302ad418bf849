/**
 * Which schema each pre-compiled validator module comes from: schemas as paths from the package
 * root, modules as names in the built validators folder (dist/src/config/validators).
 */
export const GENERATED = [
  { schema: 'config/schema.json', module: 'config-schema.generated.cjs' },
  { schema: 'devices/schema.json', module: 'device-schema.generated.cjs' },
] as const;
