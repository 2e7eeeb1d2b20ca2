/** Builds `target` when its sources are newer than its output; true when it built. */
export function ensureBuild(target: 'h5' | 'weapp', log?: (line: string) => void): boolean;
