/** Which schema each pre-compiled validator module comes from (paths from the package root). */
export const GENERATED = [
  { schema: 'config/schema.json', module: 'src/config/validators/config-schema.generated.ts' },
  { schema: 'devices/schema.json', module: 'src/config/validators/device-schema.generated.ts' },
] as const;
