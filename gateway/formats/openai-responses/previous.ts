import { GatewayError } from '../../errors.ts';
import type { JsonObject } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

/*
 * `previous_response_id` for routes that cannot keep responses themselves, as OpenAI's API
 * reference and conversation-state guide describe it: the new response's context is the previous
 * response's input items, then its output items, then the new request's own input. Only those items
 * carry over. `instructions` do not ("the instructions from a previous response will not be
 * carried over to the next response"), nor do tools, text format or any other setting: the new
 * request says its own. Output items are valid input items as they are (the guide's manual chaining
 * appends `response.output` to the next input unchanged): assistant messages with `output_text`
 * parts, `function_call` items, `reasoning` items with their `encrypted_content`.
 */

/** What is kept of a response so that a later request can continue from it, or a client read it again. */
export interface ResponseRecord {
  /** Every input item it answered: its chain's (expanded), then the request's own. */
  input: JsonObject[];
  /** Its output items as the client received them. */
  output: JsonObject[];
  /** The request's own instructions (kept to show the response again; never carried over). */
  instructions: string | null;
  model: string;
  /** The response's status and usage, for `GET /responses/{id}`. */
  status: string;
  usage: JsonObject | null;
}

/** A request's `input` as items: a string is one user message, as the API reads it. */
function inputItems(input: unknown): JsonObject[] {
  if (typeof input === 'string')
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return Array.isArray(input) ? input.filter(isJsonObject) : [];
}

/**
 * A request with `previous_response_id` → the same request standing alone: `input` is the
 * previous response's input and output items, then its own; `previous_response_id` removed; the
 * request's own `instructions` left as they are (absent stays absent).
 */
export function expandPrevious(body: JsonObject, previous: ResponseRecord): JsonObject {
  const { previous_response_id: _previous, ...rest } = body;
  // Copies: the request is translated and filtered later, and must not reach into the stored record.
  const history = structuredClone([...previous.input, ...previous.output]);
  return { ...rest, input: [...history, ...inputItems(body['input'])] };
}

/**
 * What to store of a response: `request` as sent upstream (already expanded, so that a later turn
 * needs only this record, not the chain) and the response object returned to the client.
 */
export function storedRecord(request: JsonObject, response: JsonObject): ResponseRecord {
  const output = response['output'];
  const usage = response['usage'];
  const model = typeof response['model'] === 'string' ? response['model'] : request['model'];
  return {
    input: structuredClone(inputItems(request['input'])),
    output: structuredClone(Array.isArray(output) ? output.filter(isJsonObject) : []),
    instructions: typeof request['instructions'] === 'string' ? request['instructions'] : null,
    model: typeof model === 'string' ? model : '',
    status: typeof response['status'] === 'string' ? response['status'] : 'completed',
    usage: isJsonObject(usage) ? structuredClone(usage) : null,
  };
}

/**
 * `GET` or `DELETE /responses/{id}` for an id this app has not stored (or no longer): OpenAI's
 * 404. OpenAI's body has `code: null`; the gateway's errors always carry a code for the row.
 */
export function notFoundError(id: string): GatewayError {
  return new GatewayError(404, 'not_found', `Response with id '${id}' not found.`, {
    type: 'invalid_request_error',
    param: null,
  });
}

/** A create request whose `previous_response_id` is unknown or expired: OpenAI answers 400, not 404. */
export function previousNotFoundError(id: string): GatewayError {
  return new GatewayError(
    400,
    'previous_response_not_found',
    `Previous response with id '${id}' not found.`,
    { type: 'invalid_request_error', param: 'previous_response_id' },
  );
}
