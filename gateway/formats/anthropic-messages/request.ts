import { readChatRequestStrictly, type ChatRequest } from '../openai-chat/request-schema.ts';
import type { ChatCallContext, JsonObject } from '../types.ts';
import { convertMessages } from './convert-messages.ts';
import { anthropicToolChoice, convertTools, planToolChoice } from './convert-tools.ts';
import type { AnthropicMessage, AnthropicTool, MessagesRequest, OutputConfig } from './messages-request.ts';
import { isThinkingBlock } from './messages-request.ts';
import { anthropicModelTraits } from './model-traits.ts';
import { refuseWhatCannotBeHonoured } from './parameters.ts';
import { RESPONSE_FORMAT_TOOL, planResponseFormat } from './response-format.ts';
import { planSampling } from './sampling.ts';
import { parseReasoningEffort, planThinking } from './thinking.ts';

type ToolChoice = { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };

/**
 * The tools offered and the tool choice, with the answer tool of `response_format` added where it
 * is used. The answer must then come through a tool: the answer tool itself when the client's
 * tools may not be called, else any tool (a client tool, or the answer tool to answer).
 */
function planTools(
  request: ChatRequest,
  clientTools: AnthropicTool[],
  answerTool: AnthropicTool | null,
): { tools: AnthropicTool[]; choice: ToolChoice | null } {
  if (clientTools.length === 0) {
    // tool_choice without tools means nothing, as OpenAI treats it.
    return answerTool
      ? { tools: [answerTool], choice: { type: 'tool', name: RESPONSE_FORMAT_TOOL } }
      : { tools: [], choice: null };
  }
  const plan = planToolChoice(request.tool_choice, clientTools);
  const only = 'only' in plan ? plan.only : null;
  const offered = only ? clientTools.filter((tool) => only.includes(tool.name)) : clientTools;
  const choice: ToolChoice = plan.type === 'tool' ? { type: 'tool', name: plan.name } : { type: plan.type };
  if (answerTool) {
    const answering: ToolChoice =
      choice.type === 'none'
        ? { type: 'tool', name: RESPONSE_FORMAT_TOOL }
        : choice.type === 'tool'
          ? choice
          : { type: 'any' };
    return { tools: [...offered, answerTool], choice: answering };
  }
  // Said when the client said it; Anthropic's default is auto with parallel calls allowed.
  const isDefault =
    (request.tool_choice === undefined || request.tool_choice === null) &&
    request.parallel_tool_calls !== false;
  return { tools: offered, choice: isDefault ? null : choice };
}

/**
 * Thinking blocks Anthropic would refuse: with thinking off, those of a final assistant turn (a
 * prefill); for a model that cannot think (the conversation began on another model), all of them.
 * Every assistant turn keeps other blocks: messages of thinking alone were dropped already.
 */
function withoutRefusedThinking(messages: AnthropicMessage[], all: boolean): AnthropicMessage[] {
  return messages.map((message, index) =>
    message.role === 'assistant' && (all || index === messages.length - 1)
      ? { role: 'assistant', content: message.content.filter((block) => !isThinkingBlock(block)) }
      : message,
  );
}

function stopSequences(stop: string | string[] | null | undefined): string[] {
  if (stop === null || stop === undefined) return [];
  return (typeof stop === 'string' ? [stop] : stop).filter((sequence) => sequence !== '');
}

/**
 * An OpenAI Chat Completions request (validated: validateChatRequest) → an Anthropic Messages
 * request. Throws GatewayError 400 for what it cannot carry, and for what OpenAI itself would refuse.
 */
export function toAnthropicRequest(body: JsonObject, context: ChatCallContext): MessagesRequest {
  const request = readChatRequestStrictly(body);
  refuseWhatCannotBeHonoured(body);
  const traits = anthropicModelTraits(context.model);
  const effort = parseReasoningEffort(request.reasoning_effort);
  const { system, messages } = convertMessages(request.messages);
  const clientTools = convertTools(request.tools ?? [], traits);
  const format = planResponseFormat(
    request.response_format,
    traits,
    clientTools.map((tool) => tool.name),
  );
  const { tools, choice } = planTools(request, clientTools, format.kind === 'tool' ? format.tool : null);
  const thinking = planThinking({
    effort,
    traits,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? context.defaultMaxTokens,
    forcedTool: choice?.type === 'any' || choice?.type === 'tool',
    messages,
  });
  const outputConfig: OutputConfig = {
    ...(thinking.effort ? { effort: thinking.effort } : {}),
    ...(format.kind === 'native' ? { format: format.format } : {}),
  };
  const stop = stopSequences(request.stop);
  const userId = request.user || request.safety_identifier;

  const out: MessagesRequest = {
    model: context.model,
    max_tokens: thinking.maxTokens,
    messages: thinking.thinking ? messages : withoutRefusedThinking(messages, traits.thinking === 'none'),
    ...(system.length > 0 ? { system } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(tools.length > 0 && choice
      ? { tool_choice: anthropicToolChoice(choice, request.parallel_tool_calls) }
      : {}),
    ...(thinking.thinking ? { thinking: thinking.thinking } : {}),
    ...(Object.keys(outputConfig).length > 0 ? { output_config: outputConfig } : {}),
    ...planSampling(
      { temperature: request.temperature, topP: request.top_p },
      traits,
      thinking.thinking !== null,
    ),
    ...(stop.length > 0 ? { stop_sequences: stop } : {}),
    ...(userId ? { metadata: { user_id: userId } } : {}),
    ...(context.stream ? { stream: true } : {}),
  };
  return out;
}
