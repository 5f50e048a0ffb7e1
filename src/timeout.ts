/**
 * `p`, or what `onTimeout` gives (or throws) when `p` has not settled within `ms`. The timer is cleared either way,
 * so a settled race keeps no handle alive.
 */
export async function raceTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (e) {
        reject(e);
      }
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Did `p` settle (either way) within `ms`? Its outcome is not needed, only whether it is done. */
export function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return raceTimeout(p.then(() => true, () => true), ms, () => false);
}
