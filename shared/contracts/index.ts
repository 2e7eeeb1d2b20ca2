/** Every endpoint contract by name; the OpenAPI document and the typed client come from this map. */
import type { RouteName } from '../routes';
import type { Endpoint } from './endpoint';
import { getHealth } from './health';
import { getMeta } from './meta';

export * from './endpoint';
export * from './health';
export * from './meta';

export const contracts = { getHealth, getMeta } satisfies Record<RouteName, Endpoint>;

export type Contracts = typeof contracts;
export const endpoints: readonly Endpoint[] = Object.values(contracts);
