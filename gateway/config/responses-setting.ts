import type { VendorId } from '../domain.ts';
import { providerFor } from '../providers/index.ts';
import type { RouteRecord } from '../store/types.ts';

/**
 * How a vendor's servers stand on OpenAI's Responses API: every one speaks it (OpenAI), each
 * route says whether its server does (LM Studio, vLLM and recent Ollama do; many compatible
 * servers do not), or none does (its requests are translated).
 */
export type ResponsesSupport = 'always' | 'per-route' | 'never';

export function responsesSupport(vendor: VendorId): ResponsesSupport {
  const other = providerFor(vendor)?.alsoSpeaks['openai-responses'];
  if (other === undefined) return 'never';
  return other.always ? 'always' : 'per-route';
}

/** Whether a Responses request to this route passes through to its server rather than being translated. */
export function speaksResponses(route: Pick<RouteRecord, 'vendor' | 'speaksResponses'>): boolean {
  const support = responsesSupport(route.vendor);
  return support === 'always' || (support === 'per-route' && route.speaksResponses);
}
