/** Builds the H5 page when its sources are newer than h5/dist; true when it built. */
export function ensureH5Build(log?: (line: string) => void): boolean;
