/** Every endpoint contract; the OpenAPI document is generated from this list. */
import type { Endpoint } from './endpoint';
import * as health from './health';

export * from './endpoint';
export * from './health';

export const endpoints: readonly Endpoint[] = [health.getHealth];
