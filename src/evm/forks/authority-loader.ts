/**
 * Module hooks of an EVM worker (registered by worker-main before anything loads @ethereumjs/vm):
 * @ethereumjs/vm's import of @ethereumjs/util resolves to authority-util, so that runTx's EIP-7702
 * authority recoveries are answered from the block's batch. Nothing else is redirected.
 */
interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

const SHIM = new URL(`./authority-util.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve) {
  if (specifier === '@ethereumjs/util' && context.parentURL?.includes('/@ethereumjs/vm/')) return { url: SHIM, format: 'module', shortCircuit: true };
  return next(specifier, context);
}
