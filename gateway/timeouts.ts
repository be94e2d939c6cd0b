import type { TimeoutLayer } from './forward.ts';
import type { VendorId } from './domain.ts';
import { isReasoningModel } from './models/limits.ts';
import { providerFor } from './providers/index.ts';
import { isLoopbackUrl } from './providers/loopback.ts';

/** What the default timeouts depend on: where the call goes, what it asks for, and whether it streams. */
export interface TimeoutSubject {
  vendor: VendorId;
  baseUrl: string;
  model: string | null;
  stream: boolean;
  /** Listing models or embedding text answers quickly; only a generation can take minutes. */
  kind: 'generate' | 'embeddings' | 'models';
}

/**
 * The defaults under the server's and the route's own `timeouts`, chosen so that a hung upstream
 * holds a client no longer than the slowest honest answer would take (docs: README, "Timeouts"):
 *
 * - models lists 30 s, embeddings 120 s to the headers;
 * - a streamed generation: 60 s to the first byte from a cloud vendor, 300 s for reasoning
 *   families (they may think before the first token) and for servers on this machine (Ollama,
 *   LM Studio: loading a model into memory comes first);
 * - a non-streamed generation: 600 s, since its headers come only once the whole answer is written;
 * - every call: 300 s of silence inside a body at most, 30 minutes in all.
 */
export function defaultTimeouts(subject: TimeoutSubject): TimeoutLayer {
  if (subject.kind === 'models') return { headersMs: 30_000, totalMs: 60_000 };
  if (subject.kind === 'embeddings') return { headersMs: 120_000, totalMs: 300_000 };
  if (!subject.stream) return { headersMs: 600_000 };
  const local = providerFor(subject.vendor)?.isLocal(subject.baseUrl) ?? isLoopbackUrl(subject.baseUrl);
  const reasoning = subject.model !== null && isReasoningModel(subject.model);
  return { headersMs: local || reasoning ? 300_000 : 60_000 };
}
