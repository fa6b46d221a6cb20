/**
 * Imported first by the entry points. restify loads spdy (HTTP/2 over TLS, unused here), whose http-deceiver
 * calls `process.binding('http_parser')` as it loads, and Node prints DEP0111 for it at every start. That one
 * warning, from that one dependency, is dropped; every other warning is printed as usual.
 */
const emit = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  const code =
    rest.find((r) => typeof r === 'string' && r.startsWith('DEP')) ??
    (rest[0] as { code?: string } | undefined)?.code;
  if (code === 'DEP0111' && text.includes("process.binding('http_parser')")) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
};
