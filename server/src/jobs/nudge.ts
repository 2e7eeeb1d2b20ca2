/**
 * Coalesces "please run job X" requests made after commits: the first request schedules a send at
 * most `gapMs` after the previous one, and requests made while a send is scheduled ride on it.
 * Every request is therefore followed by a send that happens after it (a job started then sees
 * the caller's commit), and a burst of commits costs one send per gap instead of one each.
 * Whichever instance's worker takes the job does not matter.
 */
export function createNudge(send: () => Promise<unknown>, onError: (err: Error) => void, gapMs = 100): () => Promise<void> {
  let scheduled = false;
  let lastSentAt = 0;
  return async () => {
    if (scheduled) return;
    scheduled = true;
    const timer = setTimeout(
      () => {
        scheduled = false;
        lastSentAt = Date.now();
        send().catch(onError);
      },
      Math.max(0, lastSentAt + gapMs - Date.now()),
    );
    // A process that stops with a nudge pending leaves it to the job's schedule.
    timer.unref();
  };
}
