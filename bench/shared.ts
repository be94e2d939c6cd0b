/** What the bench's processes agree on: keys, request bodies, markers. */

/** The app key the bench's Switchboard config gives its app. */
export const APP_KEY = 'sbk_bench_0123456789abcdef0123';
export const POLICY_APP_KEY = 'sbk_bench_policy_0123456789abcdef';
/** The vendor keys the gateways send upstream (the fake accepts anything). */
export const UPSTREAM_KEY = 'sk-bench-upstream-0123456789';
export const ANTHROPIC_UPSTREAM_KEY = 'sk-ant-bench-upstream-0123456789';

/** A redact filter's pattern matches this; the fake upstream counts bodies that still carry it. */
export const REDACT_MARKER = 'bench-secret-';

export const OPENAI_MODEL = 'gpt-4.1-nano';
export const ANTHROPIC_MODEL = 'claude-sonnet-4-5';

const messages = [{ role: 'user', content: 'Say hello.' }];

/** A small OpenAI Chat Completions body, non-streamed. */
export const CHAT_BODY = JSON.stringify({ model: OPENAI_MODEL, messages });
export const CHAT_STREAM_BODY = JSON.stringify({ model: OPENAI_MODEL, messages, stream: true });
/** The same question for Claude: through Switchboard's OpenAI endpoint, and natively (the direct path). */
export const CLAUDE_CHAT_BODY = JSON.stringify({ model: ANTHROPIC_MODEL, messages });
export const CLAUDE_CHAT_STREAM_BODY = JSON.stringify({ model: ANTHROPIC_MODEL, messages, stream: true });
export const MESSAGES_BODY = JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 1024, messages });
export const MESSAGES_STREAM_BODY = JSON.stringify({
  model: ANTHROPIC_MODEL,
  max_tokens: 1024,
  messages,
  stream: true,
});
/** A body with something for a redact filter to find. */
export const CHAT_BODY_WITH_SECRET = JSON.stringify({
  model: OPENAI_MODEL,
  messages: [{ role: 'user', content: `My token is ${REDACT_MARKER}12345; say hello.` }],
});
