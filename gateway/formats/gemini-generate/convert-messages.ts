import type { JsonObject } from '../types.ts';
import { contentText, convertContent, type RequestPart } from './convert-content.ts';
import { invalidRequest, isRecord } from './json.ts';
import { signatureFromToolCallId } from './tool-call-id.ts';

export interface GeminiContent {
  role: 'user' | 'model';
  parts: RequestPart[];
}

export interface ConvertedMessages {
  contents: GeminiContent[];
  systemInstruction?: { parts: RequestPart[] };
}

/**
 * Google's documented stand-in for a function call that Gemini did not write, or whose signature
 * the client lost: Gemini 3 answers 400 when the first function call of a model turn comes back
 * unsigned, and this value tells it to skip the check (at some cost to its reasoning).
 */
export const UNSIGNED_CALL_SIGNATURE = 'skip_thought_signature_validator';

/** Where our answers put a thought signature: `extra_content.google.thought_signature` (Google's convention). */
export function signatureFromExtraContent(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const google = value['google'];
  if (!isRecord(google)) return undefined;
  const signature = google['thought_signature'];
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}

/**
 * A tool result → the object Gemini's functionResponse.response must be: a JSON object is sent
 * as it is, other JSON as `{result: value}`, plain text as `{content: text}`.
 */
export function functionResponseBody(text: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : { result: parsed };
  } catch {
    return { content: text };
  }
}

function parseArguments(value: unknown, param: string): JsonObject {
  if (value === undefined || value === null || value === '') return {};
  if (isRecord(value)) return value;
  if (typeof value !== 'string') throw invalidRequest(param, `"${param}" must be a JSON string.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidRequest(param, `"${param}" is not valid JSON; Gemini needs the arguments as an object.`);
  }
  if (!isRecord(parsed))
    throw invalidRequest(param, `"${param}" must be a JSON object; Gemini takes no other.`);
  return parsed;
}

interface ModelTurn {
  parts: RequestPart[];
  /** The tool-call ids of this turn, in order, so that their results can be sent in the same order. */
  callIds: string[];
}

function assistantTurn(message: JsonObject, param: string, callNames: Map<string, string>): ModelTurn {
  const texts = convertContent(message['content'], `${param}.content`, false);
  const textSignature = signatureFromExtraContent(message['extra_content']);
  if (textSignature !== undefined && texts[0] !== undefined) texts[0]['thoughtSignature'] = textSignature;

  const calls: RequestPart[] = [];
  const callIds: string[] = [];
  const toolCalls = message['tool_calls'];
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls))
      throw invalidRequest(`${param}.tool_calls`, `"${param}.tool_calls" must be an array.`);
    toolCalls.forEach((call: unknown, index) => {
      const callParam = `${param}.tool_calls[${index}]`;
      const fn = isRecord(call) ? call['function'] : undefined;
      if (!isRecord(call) || !isRecord(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
        throw invalidRequest(
          callParam,
          `"${callParam}" must be {"id":…,"type":"function","function":{"name":…,"arguments":…}}.`,
        );
      }
      const id = typeof call['id'] === 'string' ? call['id'] : '';
      const part: RequestPart = {
        functionCall: {
          name: fn['name'],
          args: parseArguments(fn['arguments'], `${callParam}.function.arguments`),
        },
      };
      const signature = signatureFromExtraContent(call['extra_content']) ?? signatureFromToolCallId(id);
      if (signature !== undefined) part['thoughtSignature'] = signature;
      calls.push(part);
      if (id !== '') {
        callNames.set(id, fn['name']);
        callIds.push(id);
      }
    });
  }
  const legacyCall = message['function_call'];
  if (isRecord(legacyCall) && typeof legacyCall['name'] === 'string') {
    calls.push({
      functionCall: {
        name: legacyCall['name'],
        args: parseArguments(legacyCall['arguments'], `${param}.function_call.arguments`),
      },
    });
  }
  if (calls.length > 0 && !calls.some((part) => part['thoughtSignature'] !== undefined)) {
    calls[0]!['thoughtSignature'] = UNSIGNED_CALL_SIGNATURE;
  }
  return { parts: [...texts, ...calls], callIds };
}

/**
 * OpenAI messages → Gemini `contents` and `systemInstruction`:
 * - system and developer messages become the system instruction, in order;
 * - user → user, assistant → model (text first, then its tool calls as functionCall parts with
 *   their thought signatures from `extra_content` or from the tool-call id);
 * - a run of tool results becomes functionResponse parts of one user turn, named after the call
 *   they answer (found by tool_call_id) and ordered as the calls were;
 * - turns of the same role in a row are merged, and turns left with no parts are left out.
 */
export function convertMessages(messages: unknown): ConvertedMessages {
  if (!Array.isArray(messages)) throw invalidRequest('messages', '"messages" must be an array.');
  const system: RequestPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  let lastCallIds: string[] = [];
  let toolRun: { order: number; part: RequestPart }[] = [];

  const push = (role: GeminiContent['role'], parts: RequestPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  const flushToolRun = () => {
    const ordered = toolRun.map((entry, index) => ({ ...entry, index }));
    // Gemini pairs results with calls by position: sort them back into call order (stable for ties).
    ordered.sort((a, b) => a.order - b.order || a.index - b.index);
    push(
      'user',
      ordered.map((entry) => entry.part),
    );
    toolRun = [];
  };

  messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isRecord(message)) throw invalidRequest(param, `"${param}" must be an object.`);
    const role = message['role'];
    if (role !== 'tool' && role !== 'function' && toolRun.length > 0) flushToolRun();
    switch (role) {
      case 'system':
      case 'developer':
        system.push(...convertContent(message['content'], `${param}.content`, false));
        return;
      case 'user':
        push('user', convertContent(message['content'], `${param}.content`, true));
        return;
      case 'assistant': {
        const turn = assistantTurn(message, param, callNames);
        lastCallIds = turn.callIds;
        push('model', turn.parts);
        return;
      }
      case 'tool':
      case 'function': {
        const id = typeof message['tool_call_id'] === 'string' ? message['tool_call_id'] : undefined;
        const name =
          (id === undefined ? undefined : callNames.get(id)) ??
          (typeof message['name'] === 'string' && message['name'] !== '' ? message['name'] : undefined);
        if (name === undefined) {
          throw invalidRequest(
            `${param}.tool_call_id`,
            `"${param}" answers no tool call of an earlier assistant message (tool_call_id ${JSON.stringify(id ?? null)}); Gemini needs the function's name.`,
          );
        }
        const response = functionResponseBody(contentText(message['content'], `${param}.content`));
        const position = id === undefined ? -1 : lastCallIds.indexOf(id);
        toolRun.push({
          order: position === -1 ? Number.MAX_SAFE_INTEGER : position,
          part: { functionResponse: { name, response } },
        });
        return;
      }
      default:
        throw invalidRequest(
          `${param}.role`,
          `"${param}.role" must be system, developer, user, assistant or tool.`,
        );
    }
  });
  if (toolRun.length > 0) flushToolRun();
  return system.length > 0 ? { contents, systemInstruction: { parts: system } } : { contents };
}
