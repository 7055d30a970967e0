import { ApiFailure } from '../api/client';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const failure = error instanceof ApiFailure ? error.detail : undefined;
  return (
    <div role="alert" className="error">
      <p>{failure ? `${failure.status}: ${failure.message}` : (error as Error).message}</p>
      {failure?.fields && (
        <ul>
          {failure.fields.map((f) => (
            <li key={`${f.field}:${f.message}`}>
              <code>{f.field}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
