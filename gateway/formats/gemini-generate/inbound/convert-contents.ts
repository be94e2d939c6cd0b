import type { JsonObject } from '../../types.ts';
import { invalidRequest, isRecord } from '../json.ts';
import { signatureExtra } from '../response.ts';
import { fileDataPart, inlineDataPart } from './convert-media.ts';
import { field } from './field.ts';
import { ownSignature } from './signature.ts';

/** A tool call of the latest model turn, waiting for its functionResponse. */
interface PendingCall {
  id: string;
  name: string;
  answered: boolean;
}

/** One part as an OpenAI text part; a single text part as plain string content. */
function messageContent(parts: JsonObject[]): string | JsonObject[] {
  const text = parts.length === 1 ? parts[0]?.['text'] : undefined;
  return typeof text === 'string' ? text : parts;
}

function partsOf(content: JsonObject, param: string): JsonObject[] {
  const parts = field(content, 'parts');
  if (parts === undefined) return [];
  if (!Array.isArray(parts)) throw invalidRequest(`${param}.parts`, `"${param}.parts" must be an array.`);
  return parts.map((part: unknown, index) => {
    if (!isRecord(part))
      throw invalidRequest(`${param}.parts[${index}]`, `"${param}.parts[${index}]" must be an object.`);
    return part;
  });
}

function textOf(part: JsonObject, param: string): string | undefined {
  const text = field(part, 'text');
  if (text !== undefined && typeof text !== 'string')
    throw invalidRequest(param, `"${param}.text" must be a string.`);
  return text;
}

/** The system instruction's text parts → one system message (a bare string is taken too). */
function systemMessage(instruction: unknown): JsonObject | undefined {
  if (instruction === undefined) return undefined;
  const param = 'systemInstruction';
  if (typeof instruction === 'string') {
    return instruction === '' ? undefined : { role: 'system', content: instruction };
  }
  if (!isRecord(instruction)) throw invalidRequest(param, `"${param}" must be a Content object.`);
  const texts = partsOf(instruction, param).flatMap((part, index) => {
    const text = textOf(part, `${param}.parts[${index}]`);
    return text === undefined || text === '' ? [] : [{ type: 'text', text }];
  });
  return texts.length > 0 ? { role: 'system', content: messageContent(texts) } : undefined;
}

/**
 * A model turn → an assistant message: text parts as content, functionCall parts as tool_calls
 * (Gemini's `id` kept, else `call_<turn>_<n>`, which is stable for the same history), thought
 * parts left out. A signature that one of our answers gave is carried back as `extra_content`.
 * Media in a model turn has no place in an assistant message and is left out.
 */
function modelMessage(
  parts: JsonObject[],
  param: string,
  turn: number,
  pending: PendingCall[],
): JsonObject | null {
  const texts: JsonObject[] = [];
  const calls: JsonObject[] = [];
  let textSignature: string | undefined;
  parts.forEach((part, index) => {
    const partParam = `${param}.parts[${index}]`;
    const signature = ownSignature(field(part, 'thoughtSignature'));
    const call = field(part, 'functionCall');
    if (call !== undefined) {
      const name = isRecord(call) ? field(call, 'name') : undefined;
      if (!isRecord(call) || typeof name !== 'string' || name === '') {
        throw invalidRequest(
          `${partParam}.functionCall`,
          `"${partParam}.functionCall" must be {"name": …, "args": {…}}.`,
        );
      }
      const args = field(call, 'args') ?? {};
      if (!isRecord(args)) {
        throw invalidRequest(
          `${partParam}.functionCall.args`,
          `"${partParam}.functionCall.args" must be an object.`,
        );
      }
      const givenId = field(call, 'id');
      const id = typeof givenId === 'string' && givenId !== '' ? givenId : `call_${turn}_${calls.length}`;
      calls.push({
        id,
        type: 'function',
        function: { name, arguments: JSON.stringify(args) },
        ...(signature === undefined ? {} : { extra_content: signatureExtra(signature) }),
      });
      pending.push({ id, name, answered: false });
      return;
    }
    if (field(part, 'thought') === true) return;
    const text = textOf(part, partParam);
    if (text === undefined) return;
    if (text !== '') texts.push({ type: 'text', text });
    textSignature = signature ?? textSignature;
  });
  if (texts.length === 0 && calls.length === 0) return null;
  const message: JsonObject = { role: 'assistant', content: texts.length > 0 ? messageContent(texts) : null };
  if (calls.length > 0) message['tool_calls'] = calls;
  if (textSignature !== undefined) message['extra_content'] = signatureExtra(textSignature);
  return message;
}

/**
 * The call a functionResponse answers: the one with its id, else the first unanswered one of its
 * name (Gemini pairs them by name and order, and Gemini CLI makes its own ids for calls that came
 * without one).
 */
function answeredCall(pending: PendingCall[], id: unknown, name: string): PendingCall | undefined {
  const open = pending.filter((call) => !call.answered);
  const byId = typeof id === 'string' ? open.find((call) => call.id === id) : undefined;
  return byId ?? open.find((call) => call.name === name);
}

/**
 * A user turn → its functionResponse parts as tool messages (first, since they must follow the
 * assistant's tool_calls), then the rest as one user message. The response object goes as JSON
 * text, the form the outbound direction reads back into the same object.
 */
function userMessages(parts: JsonObject[], param: string, pending: PendingCall[]): JsonObject[] {
  const results: JsonObject[] = [];
  const content: JsonObject[] = [];
  parts.forEach((part, index) => {
    const partParam = `${param}.parts[${index}]`;
    const response = field(part, 'functionResponse');
    if (response !== undefined) {
      const name = isRecord(response) ? field(response, 'name') : undefined;
      if (!isRecord(response) || typeof name !== 'string' || name === '') {
        throw invalidRequest(
          `${partParam}.functionResponse`,
          `"${partParam}.functionResponse" must be {"name": …, "response": {…}}.`,
        );
      }
      const body = field(response, 'response') ?? {};
      if (!isRecord(body)) {
        throw invalidRequest(
          `${partParam}.functionResponse.response`,
          `"${partParam}.functionResponse.response" must be an object.`,
        );
      }
      const call = answeredCall(pending, field(response, 'id'), name);
      if (call === undefined) {
        throw invalidRequest(
          `${partParam}.functionResponse`,
          `"${partParam}.functionResponse" (${JSON.stringify(name)}) answers no functionCall of the model turn before it.`,
        );
      }
      call.answered = true;
      results.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(body) });
      return;
    }
    if (field(part, 'functionCall') !== undefined) {
      throw invalidRequest(
        `${partParam}.functionCall`,
        `"${partParam}": functionCall parts belong in model turns.`,
      );
    }
    if (field(part, 'thought') === true) return;
    const inlineData = field(part, 'inlineData');
    const fileData = field(part, 'fileData');
    const text = textOf(part, partParam);
    if (inlineData !== undefined) content.push(inlineDataPart(inlineData, `${partParam}.inlineData`));
    else if (fileData !== undefined) content.push(fileDataPart(fileData, `${partParam}.fileData`));
    else if (text !== undefined && text !== '') content.push({ type: 'text', text });
  });
  return content.length > 0 ? [...results, { role: 'user', content: messageContent(content) }] : results;
}

/**
 * Gemini `systemInstruction` and `contents` → hub messages. Roles: user (or none) → user, model →
 * assistant. Parts of kinds the hub has no place for (executableCode, codeExecutionResult,
 * multimodal functionResponse parts) are left out.
 */
export function convertContents(contents: unknown, systemInstruction: unknown): JsonObject[] {
  if (!Array.isArray(contents) || contents.length === 0) {
    throw invalidRequest('contents', '"contents" must be a non-empty array of Content objects.');
  }
  const messages: JsonObject[] = [];
  const system = systemMessage(systemInstruction);
  if (system !== undefined) messages.push(system);
  let pending: PendingCall[] = [];
  contents.forEach((content: unknown, turn) => {
    const param = `contents[${turn}]`;
    if (!isRecord(content)) throw invalidRequest(param, `"${param}" must be an object.`);
    const role = field(content, 'role') ?? 'user';
    const parts = partsOf(content, param);
    if (role === 'model') {
      pending = [];
      const message = modelMessage(parts, param, turn, pending);
      if (message !== null) messages.push(message);
    } else if (role === 'user' || role === '') {
      messages.push(...userMessages(parts, param, pending));
    } else {
      throw invalidRequest(`${param}.role`, `"${param}.role" must be "user" or "model".`);
    }
  });
  return messages;
}
