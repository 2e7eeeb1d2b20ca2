import type { TestProject } from 'vitest/node';
import { ensureBuild } from '../../scripts/ensure-build.mjs';
import { provideInfrastructure } from './global-setup';

/** The mini-program tests run the weapp build (made here once if the sources changed) against the real server. */
export default async function setup(project: TestProject) {
  ensureBuild('weapp', (line) => process.stdout.write(`${line}\n`));
  return provideInfrastructure(project);
}
