/**
 * The last token MSAL issued, handed out again for as long as MSAL itself would hand it back from its cache: until
 * five minutes before it expires (MSAL's default `tokenRenewalOffsetSeconds`) or until its `refreshOn`, whichever
 * comes first. Every Graph request asks for a token, and MSAL's cache look-up for each (cache keys, hashing,
 * telemetry) was 4-5 % of the service's CPU during a 10,000-device bulk; past that time MSAL is asked, as before.
 */
export interface IssuedToken {
  accessToken: string;
  expiresOn: Date | null;
  refreshOn?: Date;
}

/** MSAL's default renewal offset: a cached token is not used within five minutes of its expiry. */
export const RENEWAL_OFFSET_MS = 300_000;

export function reuseToken(
  acquire: () => Promise<IssuedToken>,
  clock: () => number = Date.now,
): () => Promise<string> {
  let kept: { token: string; until: number } | undefined;
  let asking: Promise<string> | undefined;
  return () => {
    if (kept && clock() < kept.until) return Promise.resolve(kept.token);
    // Callers who ask while MSAL is being asked share its answer (or its error).
    asking ??= acquire()
      .then((issued) => {
        const expires = issued.expiresOn ? issued.expiresOn.getTime() - RENEWAL_OFFSET_MS : 0;
        kept = {
          token: issued.accessToken,
          until: Math.min(expires, issued.refreshOn?.getTime() ?? Infinity),
        };
        return issued.accessToken;
      })
      .finally(() => (asking = undefined));
    return asking;
  };
}
