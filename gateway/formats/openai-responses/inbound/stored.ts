import type { JsonObject, KeptAnswer, StoredAnswers } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { expandPrevious, notFoundError, previousNotFoundError, storedRecord } from '../previous.ts';
import { responseObject } from './response-object.ts';

const FINISHING = new Set(['response.completed', 'response.incomplete']);

/**
 * The Responses API's own state, kept by the gateway for routes that cannot keep it: `store`
 * (true unless the client says false, as the API defaults) and `previous_response_id`.
 */
export const responsesStored: StoredAnswers = {
  continues: (body) => {
    const id = body['previous_response_id'];
    return typeof id === 'string' && id !== '' ? id : null;
  },
  keep: (body) => body['store'] !== false,
  expand: (body, previous) => expandPrevious(body, previous),
  record: (request, answer) => storedRecord(request, answer),
  id: (answer) => (typeof answer['id'] === 'string' && answer['id'] !== '' ? answer['id'] : null),
  finalAnswer(events) {
    for (let index = events.length - 1; index >= 0; index--) {
      const event = events[index];
      if (event === undefined || !FINISHING.has(event.event ?? '')) continue;
      try {
        const data = JSON.parse(event.data) as unknown;
        const response = isJsonObject(data) ? data['response'] : null;
        return isJsonObject(response) ? response : null;
      } catch {
        return null;
      }
    }
    return null;
  },
  show: (id, createdAt, kept: KeptAnswer): JsonObject => ({
    ...responseObject({
      id,
      model: kept.model,
      createdAt: Math.floor(createdAt / 1000),
      status: kept.status === 'incomplete' ? 'incomplete' : 'completed',
      output: kept.output,
      usage: kept.usage,
    }),
    instructions: kept.instructions,
    store: true,
  }),
  deleted: (id) => ({ id, object: 'response', deleted: true }),
  continuesUnknown: previousNotFoundError,
  unknown: notFoundError,
};
