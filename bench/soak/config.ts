/** The gateway the soak runs: an OpenAI route with two fallbacks, one of them Anthropic, and one app. */

export const SOAK_APP_KEY = 'sbk_soak_0123456789abcdef0123';
export const SOAK_MODEL = 'gpt-4.1-nano';
/** The route the clients call; the others serve only as its fallbacks. */
export const PRIMARY_ROUTE = 'primary';

export const SOAK_BODY = JSON.stringify({
  model: SOAK_MODEL,
  messages: [{ role: 'user', content: 'Count to thirty, one word at a time.' }],
  stream: true,
  stream_options: { include_usage: true },
});

/**
 * For `--without-cooldowns`: a threshold no failure rate of a few percent reaches, so that every
 * request starts on the primary and the figures show retries and fallbacks alone.
 */
const NO_COOLDOWNS = { failures: 1000, windowSeconds: 1, seconds: 1 };

export function soakConfig(fakes: string, cooldowns: boolean): Record<string, unknown> {
  return {
    routes: [
      {
        id: PRIMARY_ROUTE,
        vendor: 'openai',
        baseUrl: `${fakes}/${PRIMARY_ROUTE}/v1`,
        apiKey: 'sk-soak-primary-0123456789',
        fallbacks: ['claude', 'backup'],
      },
      {
        // Cross-format: the OpenAI request is translated for Claude, and its stream back.
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: `${fakes}/claude`,
        apiKey: 'sk-ant-soak-0123456789',
        defaultModel: 'claude-sonnet-4-5',
        modelMap: { 'gpt-*': 'claude-sonnet-4-5' },
      },
      {
        id: 'backup',
        vendor: 'openai',
        baseUrl: `${fakes}/backup/v1`,
        apiKey: 'sk-soak-backup-0123456789',
      },
    ],
    apps: [{ name: 'soak', key: SOAK_APP_KEY }],
    ...(cooldowns ? {} : { server: { cooldown: NO_COOLDOWNS } }),
  };
}
