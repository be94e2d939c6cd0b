import type { VendorId } from '../domain.ts';
import { anthropicVendor } from '../formats/anthropic-messages/index.ts';
import { geminiVendor } from '../formats/gemini-generate/index.ts';
import { openAiVendor } from '../formats/openai-chat/index.ts';
import type { Vendor } from '../formats/types.ts';

const VENDORS: Record<VendorId, Vendor> = {
  openai: openAiVendor('openai') as Vendor,
  'openai-compatible': openAiVendor('openai-compatible') as Vendor,
  ollama: openAiVendor('ollama') as Vendor,
  anthropic: anthropicVendor as Vendor,
  gemini: geminiVendor as Vendor,
};

/** The vendor for a route. Adding a vendor = one folder + one line here. */
export function vendorFor(id: VendorId): Vendor | undefined {
  return VENDORS[id];
}
