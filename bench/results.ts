import type { Memory } from './processes.ts';
import type { LatencyResult } from './sections/latency.ts';
import type { HeapCapResult } from './sections/memory.ts';
import type { PolicyResult } from './sections/policy.ts';
import type { ProfileResult } from './sections/profile.ts';
import type { StartupResult } from './sections/startup.ts';
import type { StoreResult } from './sections/store.ts';
import type { StreamingResult } from './sections/streaming.ts';
import type { ThroughputResult } from './sections/throughput.ts';
import type { TranslationResult } from './sections/translation.ts';

export interface TargetCheck {
  id: string;
  target: string;
  /** The figure this run measured, as shown. */
  figure: string;
  value: number | null;
  pass: boolean | null;
  note?: string;
}

export interface BenchResults {
  date: string;
  mode: 'quick' | 'full';
  command: string;
  durationSeconds: number;
  /** Wall time of each section, s. */
  sectionSeconds: Record<string, number>;
  machine: {
    cpu: string;
    cores: number;
    ramGb: number;
    os: string;
    node: string;
    /** 1, 5 and 15 minutes, when the run started: others' work on a shared machine shows here. */
    loadAverage: number[];
  };
  versions: Record<string, string>;
  parameters: Record<string, unknown>;
  memory: {
    /** RSS 1 s after start, before any request, MB. */
    idle: Record<string, Memory | null>;
    /** After the whole run: VmHWM is the lifetime peak (Linux). */
    end: Record<string, Memory | null>;
    /** A candidate V8 setting under the c=64 load (full runs). */
    heapCap?: HeapCapResult;
  };
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  streaming?: StreamingResult;
  translation?: TranslationResult;
  policy?: PolicyResult;
  store?: StoreResult;
  startup?: StartupResult;
  profile?: ProfileResult | { error: string };
  profileReason?: string;
  /** The gateway with policy on (budget + redact), profiled the same way (full runs). */
  profilePolicy?: ProfileResult | { error: string };
  targets: TargetCheck[];
}
