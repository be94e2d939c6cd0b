import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
} from 'openai/resources/chat/completions';
import type { RedactedThinkingBlock, ThinkingBlock } from './messages-request.ts';

/**
 * The OpenAI shapes our answers take: the openai package's types, plus the two fields that carry
 * Claude's thinking. `reasoning_content` is the thinking text (the field DeepSeek and others use);
 * `thinking_blocks` are the blocks with their signatures (LiteLLM's field), which a client sends
 * back on the assistant message so that the next turn can continue from them.
 */
export type ThinkingBlockOut = ThinkingBlock | RedactedThinkingBlock;

export interface ThinkingFields {
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlockOut[];
}

export type AssistantMessageOut = ChatCompletionMessage & ThinkingFields;

export type ChatCompletionOut = Omit<ChatCompletion, 'choices'> & {
  choices: (Omit<ChatCompletion.Choice, 'message'> & { message: AssistantMessageOut })[];
};

export type ChunkDelta = ChatCompletionChunk.Choice.Delta & ThinkingFields;

export type ChatCompletionChunkOut = Omit<ChatCompletionChunk, 'choices'> & {
  choices: (Omit<ChatCompletionChunk.Choice, 'delta'> & { delta: ChunkDelta })[];
};
