/** Sample requests for "Try it", one per inbound format the filters understand. */
const SAMPLES = {
  openai: {
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      {
        role: 'user',
        content: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
      },
    ],
  },
  anthropic: {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are a helpful assistant.',
    messages: [
      {
        role: 'user',
        content: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
      },
    ],
  },
  gemini: {
    systemInstruction: { parts: [{ text: 'You are a helpful assistant.' }] },
    contents: [
      {
        role: 'user',
        parts: [
          {
            text: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
          },
        ],
      },
    ],
  },
} as const;

export type SampleFormat = keyof typeof SAMPLES;

/** A sample as the editable text the panel starts with. */
export const sampleText = (format: SampleFormat) => `${JSON.stringify(SAMPLES[format], null, 2)}\n`;

/** Lines of the forwarded body that were not in the sample: what the filter changed. */
export function changedLines(before: string, after: string): Set<number> {
  const left = new Map<string, number>();
  for (const line of before.split('\n')) left.set(line.trim(), (left.get(line.trim()) ?? 0) + 1);
  const changed = new Set<number>();
  after.split('\n').forEach((line, index) => {
    const count = left.get(line.trim()) ?? 0;
    if (count > 0) left.set(line.trim(), count - 1);
    else changed.add(index);
  });
  return changed;
}
