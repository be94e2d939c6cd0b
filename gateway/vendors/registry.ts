import type { VendorId } from '../config/schema.ts';
import { openAiVendor } from './openai/index.ts';
import type { Vendor } from './types.ts';

const VENDORS: Partial<Record<VendorId, Vendor>> = {
  openai: openAiVendor('openai') as Vendor,
  'openai-compatible': openAiVendor('openai-compatible') as Vendor,
  ollama: openAiVendor('ollama') as Vendor,
};

/** The vendor for a route, or undefined for a vendor this build cannot translate yet. */
export function vendorFor(id: VendorId): Vendor | undefined {
  return VENDORS[id];
}
