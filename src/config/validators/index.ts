/**
 * The pre-compiled validators of the config and device-profile files (generate.ts says why).
 * Each is a plain function: nothing is compiled at start-up, and nothing keeps an ajv instance.
 */
import type { ValidateFunction } from 'ajv';
import { validate as configValidate } from './config-schema.generated.js';
import { validate as deviceValidate } from './device-schema.generated.js';

export const validateConfigSchema = configValidate as unknown as ValidateFunction;
export const validateDeviceSchema = deviceValidate as unknown as ValidateFunction;
