import { useState } from 'react';
import { messageOf, sendJson } from '../../api/client.ts';
import type { FilterTestResult } from '../../api/types.ts';
import { SelectField, TextAreaField, type Option } from '../../components/fields.tsx';
import { Icon } from '../../components/Icon.tsx';
import { Notice } from '../../components/Notice.tsx';
import { changedLines, sampleText, type SampleFormat } from './samples.ts';

const FORMATS: readonly Option<SampleFormat>[] = [
  { value: 'openai', label: 'OpenAI Chat Completions' },
  { value: 'anthropic', label: 'Anthropic Messages' },
  { value: 'gemini', label: 'Gemini generateContent' },
];

/** Runs the filter as edited, unsaved, on a sample request: the gateway answers what it would forward. */
export function TryIt({ spec }: { spec: () => Record<string, unknown> }) {
  const [format, setFormat] = useState<SampleFormat>('openai');
  const [sample, setSample] = useState(sampleText('openai'));
  const [result, setResult] = useState<FilterTestResult>();
  const [tried, setTried] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(undefined);
    setResult(undefined);
    let request: unknown;
    try {
      request = JSON.parse(sample);
    } catch (thrown) {
      setError(`The sample request is not valid JSON: ${messageOf(thrown)}`);
      return;
    }
    setBusy(true);
    try {
      const answer = await sendJson<FilterTestResult>('POST', '/filters/test', {
        filter: spec(),
        request,
        format,
      });
      setTried(JSON.stringify(request, null, 2));
      setResult(answer);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };

  const forwarded = result && !result.blocked ? JSON.stringify(result.forwarded, null, 2) : '';
  const changed = result && !result.blocked ? changedLines(tried, forwarded) : new Set<number>();

  return (
    <section className="try-it" aria-labelledby="try-it-title">
      <div className="try-it-header">
        <h3 id="try-it-title">Try it</h3>
        <p className="muted small">
          Runs the filter as edited, unsaved, on a sample request. Nothing is sent to any vendor.
        </p>
      </div>
      <div className="field-row">
        <SelectField
          label="Format"
          value={format}
          options={FORMATS}
          onChange={(next) => {
            // Swap the sample only if it is still the untouched one for the old format.
            if (sample === sampleText(format)) setSample(sampleText(next));
            setFormat(next);
          }}
        />
      </div>
      <TextAreaField
        label="Sample request (JSON)"
        className="mono"
        rows={11}
        value={sample}
        spellCheck={false}
        onChange={setSample}
      />
      <div>
        <button type="button" className="button" onClick={run} disabled={busy}>
          <Icon name="play" /> {busy ? 'Running…' : 'Try it'}
        </button>
      </div>
      <div aria-live="polite">
        {error && <Notice kind="error">{error}</Notice>}
        {result?.blocked && (
          <Notice kind="warning" title="This request would be blocked">
            {result.reason}
            {result.problems && result.problems.length > 0 && (
              <ul>
                {result.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
          </Notice>
        )}
        {result && !result.blocked && (
          <div className="forwarded">
            <div className="forwarded-title">
              {changed.size === 0 ? 'Forwarded unchanged' : 'Forwarded, with the highlighted lines changed'}
            </div>
            <pre className="code-view" aria-label="The request as it would be forwarded" tabIndex={0}>
              {forwarded.split('\n').map((line, index) => (
                <span key={index} className={changed.has(index) ? 'line changed' : 'line'}>
                  {line}
                  {'\n'}
                </span>
              ))}
            </pre>
          </div>
        )}
      </div>
    </section>
  );
}
