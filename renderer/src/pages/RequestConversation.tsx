import { useMemo, useState } from 'react';
import { readAnswer, readPrompt, type Answer, type Part, type Turn } from '../lib/readable.ts';

/*
 * A logged request for people: the prompt as a conversation (system, user, assistant, tool calls
 * with their arguments, tool results, images as thumbnails) and the answer put together from its
 * stream (text, reasoning, tool calls). The raw bodies are one click away, and are what is shown
 * when a body is not one the reader knows.
 */

const ROLE_NAMES: Record<Turn['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool result',
};

function PartView({ part }: { part: Part }) {
  switch (part.type) {
    case 'text':
      return <p className="turn-text">{part.text}</p>;
    case 'image':
      // Only images carried in the request itself are shown: a URL is not fetched from the dashboard.
      return part.src.startsWith('data:image/') ? (
        <img className="turn-image" src={part.src} alt="Image sent with the prompt" />
      ) : (
        <p className="turn-text muted">Image at {part.src}</p>
      );
    case 'tool-call':
      return (
        <div className="turn-call">
          <span className="small">
            Calls <code>{part.name}</code>
          </span>
          <pre className="body-log">{part.arguments}</pre>
        </div>
      );
    case 'tool-result':
      return <pre className="body-log">{part.text}</pre>;
  }
}

export function AnswerView({ answer }: { answer: Answer }) {
  return (
    <div className="turn turn-assistant">
      <span className="turn-role">Answer</span>
      {answer.reasoning !== '' && (
        <details className="turn-reasoning">
          <summary>Reasoning</summary>
          <p className="turn-text">{answer.reasoning}</p>
        </details>
      )}
      {answer.text !== '' && <p className="turn-text">{answer.text}</p>}
      {answer.toolCalls.map((call, index) => (
        <PartView key={index} part={{ type: 'tool-call', ...call }} />
      ))}
      {answer.text === '' && answer.toolCalls.length === 0 && (
        <p className="muted small">No text in the answer.</p>
      )}
    </div>
  );
}

/** A prompt's turns, in order, each with who said it. */
export function Turns({ turns }: { turns: readonly Turn[] }) {
  return turns.map((turn, index) => (
    <div key={index} className={`turn turn-${turn.role}`}>
      <span className="turn-role">{ROLE_NAMES[turn.role]}</span>
      {turn.parts.map((part, partIndex) => (
        <PartView key={partIndex} part={part} />
      ))}
    </div>
  ));
}

export function RequestConversation({ request, response }: { request: string; response: string }) {
  const [raw, setRaw] = useState(false);
  // Read once per body, not on each toggle: a logged body can be megabytes.
  const turns = useMemo(() => readPrompt(request), [request]);
  const answer = useMemo(() => readAnswer(response), [response]);
  const readable = turns !== null || answer !== null;
  return (
    <>
      {readable && (
        <button type="button" className="button small" aria-pressed={raw} onClick={() => setRaw(!raw)}>
          {raw ? 'Show as a conversation' : 'Show raw JSON'}
        </button>
      )}
      {!readable || raw ? (
        <>
          <h4>Request</h4>
          <pre className="body-log">{request}</pre>
          <h4>Answer</h4>
          <pre className="body-log">{response}</pre>
        </>
      ) : (
        <div className="conversation" aria-label="The request as a conversation">
          <Turns turns={turns ?? []} />
          {answer !== null && <AnswerView answer={answer} />}
        </div>
      )}
    </>
  );
}
